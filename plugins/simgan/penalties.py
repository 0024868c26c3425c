"""Gradient penalties on the discriminator, as loss terms of its objective."""

from __future__ import annotations

import tensorflow as tf

from simgan.core.losses import DiscriminatorInputs, LossTerm
from simgan.core.registries import LOSSES
from simgan.plugins.simgan.logits import real_log_odds


class R1Penalty(LossTerm):
    """``0.5 * ||grad_x D(x)||^2`` on real images (Mescheder et al. 2018, "Which Training
    Methods for GANs do actually Converge?"), where D(x) is the log-odds of "real" summed over
    the patches. Its weight is the paper's gamma."""

    def discriminator_loss(self, inputs: DiscriminatorInputs) -> tf.Tensor:
        real = inputs.real
        with tf.GradientTape() as tape:
            tape.watch(real)
            score = tf.reduce_sum(real_log_odds(inputs.discriminator(real)), axis=[1, 2])
        gradient = tape.gradient(score, real)
        return 0.5 * tf.reduce_sum(tf.square(gradient), axis=[1, 2, 3])


@LOSSES.register("r1_penalty")
def r1_penalty(*, weight: float = 10.0) -> R1Penalty:
    """R1 gradient penalty on real images for the discriminator (Mescheder et al. 2018);
    ``weight`` is their gamma (10 in their experiments)."""
    return R1Penalty(weight)
