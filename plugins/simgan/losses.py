"""SimGAN loss terms: the local adversarial loss, its least-squares variant, and the
self-regularization loss.

Each is a `LossTerm` (core/losses.py) giving per-example losses ``[B]``; the paper's refiner
objective lists ``local_adversarial`` and ``self_regularization``, weighted 1 and lambda
(``refiner/self_regularization.weight``).
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.losses import AdversarialTerm, PairTerm
from simgan.plugins.simgan.logits import local_cross_entropy, real_log_odds
from simgan.core.registries import LOSSES

REDUCTIONS = {"sum": tf.reduce_sum, "mean": tf.reduce_mean}


@LOSSES.register("local_adversarial")
def local_adversarial(*, weight: float = 1.0, reduction: str = "sum") -> AdversarialTerm:
    """Cross-entropy of every patch's two-class logits against the target class, summed over
    patches as in the paper (``reduction='mean'`` averages instead).

    The returned ``loss(logits, is_real)`` serves both players: the discriminator uses
    ``is_real=True`` on real and ``False`` on refined images; the refiner uses ``is_real=True``
    on its own output (the paper's ``-log(1 - D(R(x)))`` on the refined-class probability).
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"local_adversarial.reduction: expected 'sum' or 'mean', got {reduction!r}")
    return AdversarialTerm(lambda logits, is_real: local_cross_entropy(logits, is_real, reduction),
                          weight)


@LOSSES.register("least_squares_adversarial")
def least_squares_adversarial(*, weight: float = 1.0, reduction: str = "mean") -> AdversarialTerm:
    """Least-squares GAN loss (Mao et al. 2017) per patch on the log-odds of "real":
    ``(d - 1)^2`` for the real target and ``(d + 1)^2`` for the refined one, reduced over the
    patches; it does not saturate when the discriminator is confident."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"least_squares_adversarial.reduction: expected 'sum' or 'mean', got "
                         f"{reduction!r}")

    def loss(logits: tf.Tensor, is_real: bool) -> tf.Tensor:
        target = 1.0 if is_real else -1.0
        return REDUCTIONS[reduction](tf.square(real_log_odds(logits) - target), axis=[1, 2])

    return AdversarialTerm(loss, weight)


def _identity(images: tf.Tensor) -> tf.Tensor:
    return images


def _channel_mean(images: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(images, axis=-1, keepdims=True)


PSI = {"identity": _identity, "channel_mean": _channel_mean}


@LOSSES.register("self_regularization")
def self_regularization(*, weight: float = 1.0, psi: str = "identity", downsample: int = 1,
                        high_pass: int = 0, reduction: str = "mean") -> PairTerm:
    """Per-example ``||psi(R(x)) - psi(x)||_1`` over the feature map; ``weight`` is the paper's
    lambda (Shrivastava et al. 2017, eq. 3).

    ``psi`` is the paper's feature transform: 'identity' (used for eyes), 'channel_mean' (the
    mean of colour channels). Optionally each feature then loses its ``high_pass`` x
    ``high_pass`` local mean (0: off; in the spirit of the paper's "image derivatives": the
    refiner may change tone and lighting over regions freely while every edge, such as the
    pupil's, is held; on smooth images little is held, docs/RESULTS.md "A high-pass psi"), and
    is average-pooled by ``downsample`` (a low-resolution psi that lets the refiner change fine
    texture freely).
    ``reduction='sum'`` is the L1 norm as written in the paper; the default 'mean' divides it by
    the number of features, because with the sum plain SGD at the paper's learning rate 0.001
    kills the refiner's ReLUs within 20 steps at 35x55 (measured; see docs/TRAINING.md).
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"self_regularization.reduction: expected 'sum' or 'mean', got {reduction!r}")
    reduce = REDUCTIONS[reduction]
    if psi not in PSI:
        raise ValueError(f"self_regularization.psi: expected one of {sorted(PSI)}, got {psi!r}")
    if downsample < 1:
        raise ValueError(f"self_regularization.downsample: expected an integer >= 1, got {downsample}")
    if high_pass < 0 or high_pass == 1:
        raise ValueError(f"self_regularization.high_pass: expected 0 (off) or a window >= 2, got "
                         f"{high_pass}")
    transform = PSI[psi]

    def features(images: tf.Tensor) -> tf.Tensor:
        images = transform(tf.cast(images, tf.float32))
        if high_pass:
            images -= tf.nn.avg_pool2d(images, high_pass, 1, padding="SAME")
        if downsample > 1:
            images = tf.nn.avg_pool2d(images, downsample, downsample, padding="SAME")
        return images

    def loss(refined: tf.Tensor, synthetic: tf.Tensor) -> tf.Tensor:
        return reduce(tf.abs(features(refined) - features(synthetic)), axis=[1, 2, 3])

    return PairTerm(loss, weight)
