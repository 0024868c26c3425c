"""Differentiable augmentation of everything the discriminator sees.

DiffAugment (Zhao, Liu, Lin, Zhu, Han, "Differentiable Augmentation for Data-Efficient GAN
Training", NeurIPS 2020): the same random, differentiable transforms are applied to the real
images and to the refined (and history) images, in the discriminator's step *and* in the
refiner's, so the discriminator cannot memorise a small real set and the refiner still gets
gradients through the transforms. The transforms and their ranges are DiffAugment's for
images in [-1, 1] ('color,translation,cutout'). Each transform is applied to each image with
probability ``strength`` (p), as in ADA (Karras et al., "Training Generative Adversarial
Networks with Limited Data", NeurIPS 2020), so ``ada.AdaController`` can adapt it; p = 1 is
DiffAugment as published.

Pure TensorFlow: stateless random ops from a seed tensor, integer draws only (Philox, named so
XLA picks the same generator as the eager kernels; XLA's float draws differ from the eager
ones), so the same seed gives the same augmentation eagerly, in a tf.function and under XLA;
no Python branching on tensors.
"""

from __future__ import annotations

from typing import Callable, Sequence

import tensorflow as tf

from simgan.core.registries import AUGMENTS

TRANSFORMS = ("brightness", "saturation", "contrast", "translation", "cutout")
# DiffAugment's 'color,translation,cutout' policy, the one its paper uses with limited data.
DEFAULT_POLICY = TRANSFORMS
_ALG = "philox"
_FLOAT_BITS = 24  # U[0, 1) from 24-bit integers: exact in float32


def _unit_uniform(shape, seed: tf.Tensor) -> tf.Tensor:
    """float32 U[0, 1) drawn as integers, the same eagerly and under XLA."""
    draws = tf.random.stateless_uniform(shape, seed, 0, 2 ** _FLOAT_BITS, dtype=tf.int32,
                                        alg=_ALG)
    return tf.cast(draws, tf.float32) / 2.0 ** _FLOAT_BITS


def augment_seed(run_seed: int, step: tf.Tensor, stream: int) -> tf.Tensor:
    """The stateless seed ``[2]`` of one augmentation call: a run's seed, the global step and
    a stream number, so real images, refined images and the refiner's step draw independent
    transforms at every step (under a strategy, fold in the replica id as well)."""
    base = tf.stack([tf.constant(run_seed, tf.int64), tf.cast(step, tf.int64)])
    return tf.random.experimental.stateless_fold_in(base, stream, alg=_ALG)


def _uniform(images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """One U[0, 1) draw per image, shaped ``[B, 1, 1, 1]`` in the images' dtype."""
    batch = tf.shape(images)[0]
    return tf.cast(_unit_uniform([batch, 1, 1, 1], seed), images.dtype)


def _brightness(images: tf.Tensor, seed: tf.Tensor, _: "DiffAugment") -> tf.Tensor:
    """Adds U[-0.5, 0.5) per image (DiffAugment's rand_brightness)."""
    return images + (_uniform(images, seed) - 0.5)


def _saturation(images: tf.Tensor, seed: tf.Tensor, _: "DiffAugment") -> tf.Tensor:
    """Scales each pixel's distance to its channel mean by U[0, 2) (rand_saturation); the
    identity on one-channel images."""
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    return (images - mean) * (_uniform(images, seed) * 2.0) + mean


def _contrast(images: tf.Tensor, seed: tf.Tensor, _: "DiffAugment") -> tf.Tensor:
    """Scales the distance to the image mean by U[0.5, 1.5) (rand_contrast)."""
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * (_uniform(images, seed) + 0.5) + mean


def _shift_matrices(shifts: tf.Tensor, size: int, dtype: tf.DType) -> tf.Tensor:
    """``[B, size, size]`` one-hot matrices M with (M x)[i] = x[i - shift], zero where
    i - shift falls outside the image (one_hot of an out-of-range index is all zeros)."""
    return tf.one_hot(tf.range(size)[None, :] - shifts[:, None], size, dtype=dtype)


def _translation(images: tf.Tensor, seed: tf.Tensor, augment: "DiffAugment") -> tf.Tensor:
    """Shifts each image by whole pixels, up to ``translation_ratio`` of its height and width
    each way, filling with zeros (rand_translation). Written as two one-hot matrix products,
    so it is differentiable, XLA-friendly and deterministic on every device."""
    height, width = images.shape[1], images.shape[2]
    max_y = int(height * augment.translation_ratio + 0.5)
    max_x = int(width * augment.translation_ratio + 0.5)
    batch = tf.shape(images)[0]
    seed_y, seed_x = tf.unstack(tf.random.experimental.stateless_split(seed, 2, alg=_ALG))
    dy = tf.random.stateless_uniform([batch], seed_y, -max_y, max_y + 1, dtype=tf.int32,
                                     alg=_ALG)
    dx = tf.random.stateless_uniform([batch], seed_x, -max_x, max_x + 1, dtype=tf.int32,
                                     alg=_ALG)
    rows = _shift_matrices(dy, height, images.dtype)
    cols = _shift_matrices(dx, width, images.dtype)
    return tf.einsum("bik,bklc,bjl->bijc", rows, images, cols)


def _cutout(images: tf.Tensor, seed: tf.Tensor, augment: "DiffAugment") -> tf.Tensor:
    """Zeros one rectangle of ``cutout_ratio`` times the image's height and width per image,
    at a uniform position, clipped at the borders (rand_cutout)."""
    height, width = images.shape[1], images.shape[2]
    size_y = int(height * augment.cutout_ratio + 0.5)
    size_x = int(width * augment.cutout_ratio + 0.5)
    batch = tf.shape(images)[0]
    seed_y, seed_x = tf.unstack(tf.random.experimental.stateless_split(seed, 2, alg=_ALG))
    top = tf.random.stateless_uniform([batch], seed_y, 0, height + (1 - size_y % 2),
                                      dtype=tf.int32, alg=_ALG) - size_y // 2
    left = tf.random.stateless_uniform([batch], seed_x, 0, width + (1 - size_x % 2),
                                       dtype=tf.int32, alg=_ALG) - size_x // 2
    y = tf.range(height)[None, :, None]
    x = tf.range(width)[None, None, :]
    top, left = top[:, None, None], left[:, None, None]
    inside = (y >= top) & (y < top + size_y) & (x >= left) & (x < left + size_x)
    return images * tf.cast(~inside, images.dtype)[..., None]


_FUNCTIONS: dict[str, Callable[[tf.Tensor, tf.Tensor, "DiffAugment"], tf.Tensor]] = {
    "brightness": _brightness, "saturation": _saturation, "contrast": _contrast,
    "translation": _translation, "cutout": _cutout}


class DiffAugment(tf.Module):
    """DiffAugment's transforms, in ``policy`` order, each applied per image with probability
    ``strength`` (a checkpointable ``tf.Variable``; 1.0 is DiffAugment, ADA starts at 0.0).

    ``augment(images, seed)``: ``images`` ``[B, H, W, C]`` with static H, W; ``seed`` a
    stateless seed ``[2]`` (int32 or int64, e.g. ``augment_seed(run_seed, step, stream)``).
    Call it on the real batch, on the refined/history batch and on the refined batch of the
    refiner's adversarial term, each with its own seed: one policy for all of them.
    Defaults are the paper's: translation up to 1/8 of the size, cutout of half the size.
    """

    def __init__(self, *, policy: Sequence[str] = DEFAULT_POLICY,
                 translation_ratio: float = 0.125, cutout_ratio: float = 0.5,
                 strength: float = 1.0, name: str | None = None):
        super().__init__(name=name)
        policy = tuple(policy)
        unknown = [t for t in policy if t not in _FUNCTIONS]
        if not policy or unknown or len(set(policy)) != len(policy):
            raise ValueError(f"DiffAugment.policy: expected distinct names from {TRANSFORMS}, "
                             f"at least one; got {policy!r}")
        if not 0.0 < translation_ratio <= 0.5:
            raise ValueError(f"DiffAugment.translation_ratio: expected 0 < ratio <= 0.5; got "
                             f"{translation_ratio!r}")
        if not 0.0 < cutout_ratio < 1.0:
            raise ValueError(f"DiffAugment.cutout_ratio: expected 0 < ratio < 1; got "
                             f"{cutout_ratio!r}")
        if not 0.0 <= strength <= 1.0:
            raise ValueError(f"DiffAugment.strength: expected a probability in [0, 1]; got "
                             f"{strength!r}")
        self.policy = policy
        self.translation_ratio = float(translation_ratio)
        self.cutout_ratio = float(cutout_ratio)
        # MEAN: under a tf.distribute strategy, replicas that update p in replica context
        # average their updates (ada.AdaController).
        self.strength = tf.Variable(float(strength), dtype=tf.float32, trainable=False,
                                    name="strength",
                                    synchronization=tf.VariableSynchronization.ON_WRITE,
                                    aggregation=tf.VariableAggregation.MEAN)

    def __call__(self, images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        images = tf.convert_to_tensor(images)
        if images.shape.rank != 4 or images.shape[1] is None or images.shape[2] is None:
            raise ValueError(f"DiffAugment: expected images [B, H, W, C] with static H and W; "
                             f"got shape {images.shape}")
        seeds = tf.random.experimental.stateless_split(seed, 2 * len(self.policy), alg=_ALG)
        batch = tf.shape(images)[0]
        strength = self.strength.read_value()
        for i, transform in enumerate(self.policy):
            augmented = _FUNCTIONS[transform](images, seeds[2 * i], self)
            apply = _unit_uniform([batch], seeds[2 * i + 1]) < strength
            images = tf.where(apply[:, None, None, None], augmented, images)
        return images


@AUGMENTS.register("diffaugment")
def diffaugment(*, policy: tuple[str, ...] = DEFAULT_POLICY, translation_ratio: float = 0.125,
                cutout_ratio: float = 0.5, strength: float = 1.0) -> DiffAugment:
    """DiffAugment (Zhao et al. 2020) of everything the discriminator sees, at a fixed
    strength; the paper's policy and ratios."""
    return DiffAugment(policy=policy, translation_ratio=translation_ratio,
                       cutout_ratio=cutout_ratio, strength=strength)
