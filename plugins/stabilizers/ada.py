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

from simgan.core.registries import AUGMENTS
from simgan.plugins.stabilizers.diff_augment import DEFAULT_POLICY, DiffAugment


def overfitting_signal(real_scores: tf.Tensor) -> tf.Tensor:
    """r = E[sign(score)] over the images and patches of the discriminator's "real" scores
    (log-odds of real, ``[B, ...]``; the task reads them off its logit convention): +1 when
    every patch is called real, -1 when every patch is called generated. Logged on held-out
    real images, it is the discriminator's overfitting signal without training on them."""
    return tf.reduce_mean(tf.sign(tf.cast(real_scores, tf.float32)))


class AdaController(tf.Module):
    """Adapts ``augment.strength`` (p) from the discriminator's scores on real training images;
    calling it augments as ``augment`` does.

    Call ``update(real_scores)`` once per discriminator step, with the log-odds of "real" that
    step computed on the (augmented) real batch. Under a tf.distribute strategy call it in replica
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

    def __call__(self, images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return self.augment(images, seed)

    def update(self, real_scores: tf.Tensor) -> None:
        """p += sign(r_t - target) * images / speed_images, clipped to [0, 1]."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        images = tf.cast(tf.shape(real_scores)[0] * replicas, tf.float32)
        step = tf.sign(overfitting_signal(real_scores) - self.target) * images / self.speed_images
        strength = self.augment.strength
        strength.assign(tf.clip_by_value(strength + step, 0.0, 1.0))


@AUGMENTS.register("ada")
def ada(*, policy: tuple[str, ...] = DEFAULT_POLICY, target: float = 0.6,
        speed_images: int = 500_000) -> AdaController:
    """DiffAugment whose strength starts at 0 and is adapted by ADA's overfitting signal
    (Karras et al. 2020: target r_t = 0.6, p from 0 to 1 in 500k images)."""
    return AdaController(DiffAugment(policy=policy, strength=0.0), target=target,
                         speed_images=speed_images)
