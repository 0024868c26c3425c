"""Adaptive discriminator steps: skip the discriminator's update while it already wins.

Balancing the players by a statistic is a heuristic, not a published method; "How to train a
GAN?" (Chintala, Denton, Arjovsky, Mathieu, NIPS 2016 workshop; the 'ganhacks' list, tip
"Don't balance loss via statistics (unless you have a good reason to)") warns against loss
thresholds found by intuition. The reason here is the collapse measured in issue 19: with the
shipped CPU settings the discriminator's accuracy on both real and refined images saturates
within a few hundred iterations and the refiner never recovers. Gating on accuracy (a bounded,
scale-free statistic the step already computes) rather than on a loss keeps one threshold
meaningful across domains. The threshold is ours (no paper gives one).
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core import registry


@registry.configurable("discriminator_gate", module="stabilizers",
                       denylist=("accuracy_real", "accuracy_refined"))
def discriminator_gate(accuracy_real: tf.Tensor, accuracy_refined: tf.Tensor, *,
                       threshold: float = 0.95) -> tf.Tensor:
    """1.0 to apply the discriminator's update, 0.0 to skip it: 0.0 exactly when its accuracy
    on the real batch *and* on the refined batch are both above ``threshold``. Accuracies are
    fractions in [0, 1] (scalars or any matching shape); the gate is float32 of that shape."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"discriminator_gate.threshold: expected 0 < threshold <= 1 (an "
                         f"accuracy); got {threshold!r}")
    winning = ((tf.cast(accuracy_real, tf.float32) > threshold)
               & (tf.cast(accuracy_refined, tf.float32) > threshold))
    return tf.cast(~winning, tf.float32)
