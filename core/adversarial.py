"""The two-class logit convention shared by discriminators, adversarial losses and the trainer.

A discriminator outputs logits ``[B, h, w, 2]``: channel ``REAL`` scores "real image",
channel ``REFINED`` scores "refined (synthetic) image". A global discriminator is the 1x1 case.
"""

from __future__ import annotations

import tensorflow as tf

REAL = 0
REFINED = 1


def patch_accuracy(logits: tf.Tensor, is_real: bool) -> tf.Tensor:
    """Per-example fraction of patches classified correctly, ``[B]``."""
    target = REAL if is_real else REFINED
    correct = tf.cast(tf.equal(tf.argmax(logits, axis=-1), target), tf.float32)
    return tf.reduce_mean(correct, axis=[1, 2])
