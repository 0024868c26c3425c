"""SimGAN losses: the local adversarial loss and the self-regularization loss.

Both return a per-example loss ``[B]``; the trainer averages over the global batch and composes
``adversarial + lambda * self_regularization``.
"""

from __future__ import annotations

from typing import Callable

import tensorflow as tf

from simgan.core.adversarial import REAL, REFINED
from simgan.core.registries import LOSSES

AdversarialLoss = Callable[[tf.Tensor, bool], tf.Tensor]
SelfRegularization = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


@LOSSES.register("local_adversarial")
def local_adversarial(*, reduction: str = "sum") -> AdversarialLoss:
    """Cross-entropy of every patch's two-class logits against the target class, summed over
    patches as in the paper (``reduction='mean'`` averages instead).

    The returned ``loss(logits, is_real)`` serves both players: the discriminator uses
    ``is_real=True`` on real and ``False`` on refined images; the refiner uses ``is_real=True``
    on its own output (the paper's ``-log(1 - D(R(x)))`` on the refined-class probability).
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"local_adversarial.reduction: expected 'sum' or 'mean', got {reduction!r}")
    reduce = tf.reduce_sum if reduction == "sum" else tf.reduce_mean

    def loss(logits: tf.Tensor, is_real: bool) -> tf.Tensor:
        logits = tf.cast(logits, tf.float32)
        target = REAL if is_real else REFINED
        labels = tf.fill(tf.shape(logits)[:-1], target)
        per_patch = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        return reduce(per_patch, axis=[1, 2])

    return loss


def _identity(images: tf.Tensor) -> tf.Tensor:
    return images


def _channel_mean(images: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(images, axis=-1, keepdims=True)


PSI = {"identity": _identity, "channel_mean": _channel_mean}


@LOSSES.register("self_regularization")
def self_regularization(*, psi: str = "identity", downsample: int = 1,
                        reduction: str = "mean") -> SelfRegularization:
    """Per-example ``||psi(R(x)) - psi(x)||_1`` over the feature map.

    ``psi`` is the paper's feature transform: 'identity' (used for eyes), 'channel_mean' (the
    mean of colour channels), each optionally followed by average-pooling by ``downsample``
    (a low-resolution psi that lets the refiner change fine texture freely).
    ``reduction='sum'`` is the L1 norm as written in the paper; the default 'mean' divides it by
    the number of features, because with the sum plain SGD at the paper's learning rate 0.001
    kills the refiner's ReLUs within 20 steps at 35x55 (measured; see docs/TRAINING.md).
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"self_regularization.reduction: expected 'sum' or 'mean', got {reduction!r}")
    reduce = tf.reduce_sum if reduction == "sum" else tf.reduce_mean
    if psi not in PSI:
        raise ValueError(f"self_regularization.psi: expected one of {sorted(PSI)}, got {psi!r}")
    if downsample < 1:
        raise ValueError(f"self_regularization.downsample: expected an integer >= 1, got {downsample}")
    transform = PSI[psi]

    def features(images: tf.Tensor) -> tf.Tensor:
        images = transform(tf.cast(images, tf.float32))
        if downsample > 1:
            images = tf.nn.avg_pool2d(images, downsample, downsample, padding="SAME")
        return images

    def loss(refined: tf.Tensor, synthetic: tf.Tensor) -> tf.Tensor:
        return reduce(tf.abs(features(refined) - features(synthetic)), axis=[1, 2, 3])

    return loss
