"""Adaptive discriminator steps: skip the discriminator's update while it already wins
(``simgan.discriminator_gate = <threshold>``; None, the paper, always updates).

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


def discriminator_wins(accuracy_real: tf.Tensor, accuracy_refined: tf.Tensor,
                       threshold: float) -> tf.Tensor:
    """True exactly when the discriminator's accuracy on the real batch *and* on the refined
    batch are both above ``threshold`` (fractions in [0, 1]): then its update is skipped."""
    return ((tf.cast(accuracy_real, tf.float32) > threshold)
            & (tf.cast(accuracy_refined, tf.float32) > threshold))
