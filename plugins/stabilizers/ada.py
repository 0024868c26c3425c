"""ADA's adaptive augmentation strength (Karras, Aittala, Hellsten, Laine, Lehtinen, Aila,
"Training Generative Adversarial Networks with Limited Data", NeurIPS 2020, Sec. 3).

The overfitting signal is r_t = E[sign(D_train(real))]: the fraction of real training images
the discriminator calls real, minus the fraction it calls fake. When r_t exceeds the target
(0.6 in the paper) the discriminator is overfitting the real set and p rises; below it p falls.
Each update moves p by sign(r_t - target) * (images seen) / ``speed_images``, so p can go from
0 to 1 in ``speed_images`` real images (the paper: 500k images; it updates every 4 minibatches
from r_t averaged over them, this controller every call from that call's batch), clipped to
[0, 1].
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.adversarial import REAL, REFINED
from simgan.plugins.stabilizers.diff_augment import DiffAugment


def overfitting_signal(logits: tf.Tensor) -> tf.Tensor:
    """r = E[sign(real logit - refined logit)] over the images and patches of a discriminator
    output ``[B, h, w, 2]`` (the two-class convention of core/adversarial.py): +1 when every
    patch is called real, -1 when every patch is called refined. Logged on held-out real
    images, it is the discriminator's overfitting signal without training on them."""
    logits = tf.cast(logits, tf.float32)
    return tf.reduce_mean(tf.sign(logits[..., REAL] - logits[..., REFINED]))


class AdaController(tf.Module):
    """Adapts ``augment.strength`` (p) from the discriminator's logits on real training images.

    Call ``update(real_logits)`` once per discriminator step, with the logits that step
    computed on the (augmented) real batch. Under a tf.distribute strategy call it in replica
    context: the per-replica updates are averaged (the strength variable's MEAN aggregation)
    and each counts the global batch. ``target`` and ``speed_images`` are the paper's.
    """

    def __init__(self, augment: DiffAugment, *, target: float = 0.6,
                 speed_images: int = 500_000, name: str | None = None):
        super().__init__(name=name)
        if not -1.0 < target < 1.0:
            raise ValueError(f"AdaController.target: expected -1 < target < 1 (r_t lies in "
                             f"[-1, 1]); got {target!r}")
        if speed_images < 1:
            raise ValueError(f"AdaController.speed_images: expected a positive number of "
                             f"images; got {speed_images!r}")
        self.augment = augment
        self.target = float(target)
        self.speed_images = int(speed_images)

    def update(self, real_logits: tf.Tensor) -> None:
        """p += sign(r_t - target) * images / speed_images, clipped to [0, 1]."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        images = tf.cast(tf.shape(real_logits)[0] * replicas, tf.float32)
        step = tf.sign(overfitting_signal(real_logits) - self.target) * images / self.speed_images
        strength = self.augment.strength
        strength.assign(tf.clip_by_value(strength + step, 0.0, 1.0))
