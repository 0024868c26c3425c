"""`diversity`: a refiner term that rewards different refined images for different noise
draws of the same synthetic image, so a refiner with noise inputs (``resnet.noise_channels``,
``resnet.style_channels``) spreads its outputs over the real images' variation instead of
settling on one style (the diversity-sensitive loss of Yang et al., "Diversity-Sensitive
Conditional Generative Adversarial Networks", ICLR 2019; cf. mode seeking, Mao et al., CVPR
2019)."""

from __future__ import annotations

import tensorflow as tf

from simgan.core.losses import LossTerm, RefinerInputs
from simgan.core.registries import LOSSES


class Diversity(LossTerm):
    """Per example: ``-min(mean |R(x, z1) - R(x, z2)|, tau)``, the second draw a fresh call.
    Not a content term: it rewards moving away, not holding to the input (health checks)."""

    content = False

    def __init__(self, tau: float, weight: float):
        super().__init__(weight)
        self.tau = float(tau)

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        other = tf.cast(inputs.refiner(inputs.synthetic, training=True), tf.float32)
        distance = tf.reduce_mean(tf.abs(inputs.refined - other), axis=[1, 2, 3])
        return -tf.minimum(distance, self.tau)


@LOSSES.register("diversity")
def diversity(*, tau: float = 0.1, weight: float = 1.0) -> Diversity:
    """``tau`` bounds the reward (Yang et al.'s clip, which keeps the term from dominating);
    images are in [-1, 1], so 0.1 is a mean change of 5% of the range between two draws. Needs
    a refiner with noise inputs: a deterministic one gets no gradient from it. It reads no
    discriminator, so it also acts in the refiner's pretraining."""
    if tau <= 0:
        raise ValueError(f"diversity.tau: expected > 0; got {tau!r}")
    return Diversity(tau, weight)
