"""`fused_local_adversarial`: the local adversarial loss as one C++ custom op (and its gradient).

Same contract and values as the SimGAN plugin's `local_adversarial`: ``loss(logits, is_real)``
-> per-example ``[B]`` sum (or mean) over patches of the softmax cross-entropy against the
target class. The compiled op (fused_local_adversarial.cc, built by ``simgan-build-ops``) does it
in one pass without the ``[B, h, w]`` per-patch intermediate; the pure-TF fallback is used when
the op is not built, on GPU/TPU (CPU kernels only) and inside XLA-compiled steps.
"""

from __future__ import annotations

import os
import tensorflow as tf
from absl import logging

from simgan.plugins.ops import build as custom_ops
from simgan.core.engine import speed
from simgan.core.losses import AdversarialTerm
from simgan.core.registries import LOSSES
from simgan.plugins.simgan.logits import REAL, REFINED, local_cross_entropy

LIBRARY = custom_ops.declare("fused_local_adversarial", [
    os.path.join(os.path.dirname(__file__), "fused_local_adversarial.cc")])
CUSTOM_OP, FALLBACK = "custom_op", "fallback"
REDUCTIONS = ("sum", "mean")


def fallback_loss(logits: tf.Tensor, target: int, mean: bool) -> tf.Tensor:
    """Pure TF: the shared local cross-entropy."""
    return local_cross_entropy(logits, target == REAL, "mean" if mean else "sum")


@tf.RegisterGradient("FusedLocalAdversarial")
def _gradient(op: tf.Operation, upstream: tf.Tensor) -> tf.Tensor:
    """(softmax - onehot(target)) * upstream[b], by the second C++ kernel."""
    return custom_ops.loaded(LIBRARY).fused_local_adversarial_grad(
        op.inputs[0], upstream, target=op.get_attr("target"), mean=op.get_attr("mean"))


@LOSSES.register("fused_local_adversarial")
def fused_local_adversarial(*, weight: float = 1.0, reduction: str = "sum") -> AdversarialTerm:
    """Local adversarial loss by a fused C++ op; pure-TF fallback when the op is unavailable.

    ``reduction``: 'sum' over the patches as in the paper (eq. 4), or 'mean'. The returned
    term's ``implementation`` attribute says which path it takes ('custom_op' or
    'fallback'; inside an XLA-compiled step it always takes the fallback).
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"fused_local_adversarial.reduction: expected 'sum' or 'mean', got "
                         f"{reduction!r}")
    mean = reduction == "mean"
    module = custom_ops.load(LIBRARY)

    def loss(logits: tf.Tensor, is_real: bool) -> tf.Tensor:
        logits = tf.cast(logits, tf.float32)
        target = REAL if is_real else REFINED
        if module is None:
            return fallback_loss(logits, target, mean)
        if speed.tracing_for_xla():
            logging.log_first_n(logging.INFO, "fused_local_adversarial: XLA-compiled step, "
                                "using the pure-TF fallback", 1)
            return fallback_loss(logits, target, mean)
        return module.fused_local_adversarial(logits, target=target, mean=mean)

    term = AdversarialTerm(loss, weight)
    term.implementation = FALLBACK if module is None else CUSTOM_OP
    return term
