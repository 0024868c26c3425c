"""S+U's two-class logit convention, shared by its discriminators, adversarial losses and task.

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


def local_cross_entropy(logits: tf.Tensor, is_real: bool, reduction: str = "sum") -> tf.Tensor:
    """Per-example softmax cross-entropy of every patch against the target class, summed
    (``'sum'``, the paper's eq. 4) or averaged (``'mean'``) over the patches, ``[B]``."""
    logits = tf.cast(logits, tf.float32)
    labels = tf.fill(tf.shape(logits)[:-1], REAL if is_real else REFINED)
    per_patch = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return (tf.reduce_sum if reduction == "sum" else tf.reduce_mean)(per_patch, axis=[1, 2])


def real_log_odds(logits: tf.Tensor) -> tf.Tensor:
    """Per-patch log-odds of "real" from two-class logits ``[B, h, w, 2]`` -> ``[B, h, w]``."""
    logits = tf.cast(logits, tf.float32)
    return logits[..., REAL] - logits[..., REFINED]
