"""The fused local adversarial op agrees with the pure-TF fallback and with the SimGAN plugin's
`local_adversarial` on values and gradients; the fallback is taken when the op is unavailable."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.ops import build as custom_ops
from simgan.core.engine import speed
from simgan.core.registries import LOSSES
from simgan.plugins.ops import fused_adversarial
from simgan.plugins.simgan import losses as simgan_losses

REDUCTIONS = ["sum", "mean"]


def _logits(shape=(5, 9, 14, 2), scale=3.0, seed=0):
    return tf.constant(np.random.default_rng(seed).normal(0, scale, shape), tf.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("is_real", [True, False])
def test_values_match_fallback_and_simgan_loss(op_loss, reduction, is_real):
    logits = _logits()
    fused = op_loss(reduction)(logits, is_real)
    fallback = fused_adversarial.fallback_loss(logits, 0 if is_real else 1, reduction == "mean")
    reference = simgan_losses.local_adversarial(reduction=reduction)(logits, is_real)
    assert fused.shape == (5,)
    np.testing.assert_allclose(fused, fallback, rtol=1e-5)
    np.testing.assert_allclose(fused, reference, rtol=1e-5)


def test_stable_for_large_logits(op_loss):
    logits = tf.constant([[[[500.0, -500.0], [0.0, 1000.0]]]])  # [1, 1, 2, 2]
    fused = op_loss("sum")(logits, True)
    np.testing.assert_allclose(fused, [1000.0], rtol=1e-6)  # 0 for the first patch + 1000


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("is_real", [True, False])
def test_gradients_match_fallback(op_loss, reduction, is_real):
    logits = _logits(seed=1)
    weights = tf.constant([1.0, -2.0, 0.5, 3.0, 0.0])  # a non-uniform upstream gradient
    loss = op_loss(reduction)
    grads = []
    for fn in (lambda x: loss(x, is_real),
               lambda x: fused_adversarial.fallback_loss(x, 0 if is_real else 1,
                                                         reduction == "mean")):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            total = tf.reduce_sum(weights * fn(logits))
        grads.append(tape.gradient(total, logits))
    # Two float32 implementations: under op determinism (enabled, process-wide and for good, by
    # in-process training tests that run before this one) TensorFlow's cross-entropy gradient
    # sums in another order, off by up to 3e-7 here; a wrong gradient is off by orders more.
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-4, atol=1e-6)
    assert float(tf.reduce_max(tf.abs(grads[0]))) > 0


def test_gradient_matches_finite_differences(op_loss):
    loss = op_loss("mean")
    theoretical, numerical = tf.test.compute_gradient(lambda x: loss(x, False),
                                                      [_logits((2, 3, 4, 2), scale=1.0, seed=2)])
    np.testing.assert_allclose(theoretical[0], numerical[0], atol=2e-3)


def test_in_tf_function_and_xla(op_loss):
    """Inside a compiled step the op runs; inside an XLA-compiled one the fallback does."""
    loss, logits = op_loss("sum"), _logits(seed=3)
    graph = speed.compile_step(lambda x: loss(x, True), jit_compile=False).get_concrete_function(
        logits).graph
    assert "FusedLocalAdversarial" in {op.type for op in graph.get_operations()}
    xla = speed.compile_step(lambda x: loss(x, True), jit_compile=True)
    assert "FusedLocalAdversarial" not in {
        op.type for op in xla.get_concrete_function(logits).graph.get_operations()}
    np.testing.assert_allclose(xla(logits), loss(logits, True), rtol=1e-5)


def test_mixed_precision_logits_are_cast(op_loss):
    logits = _logits(seed=4)
    fused = op_loss("mean")(tf.cast(logits, tf.float16), False)
    assert fused.dtype == tf.float32
    np.testing.assert_allclose(fused, fused_adversarial.fallback_loss(
        tf.cast(tf.cast(logits, tf.float16), tf.float32), 1, True), rtol=1e-5)


def test_bad_logits_fail_with_shape(op_loss):
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[B, H, W, C\]"):
        op_loss()(tf.zeros([2, 3, 2]), True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range for 1 classes"):
        op_loss()(tf.zeros([2, 3, 3, 1]), False)


def test_fallback_when_not_built(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(custom_ops.CACHE_ENV, str(tmp_path))
    with caplog.at_level("WARNING"):
        loss = LOSSES.build("fused_local_adversarial", reduction="mean")
    assert loss.implementation == fused_adversarial.FALLBACK
    assert "not built" in caplog.text and "simgan-build-ops" in caplog.text
    logits = _logits(seed=5)
    np.testing.assert_allclose(loss(logits, True),
                               simgan_losses.local_adversarial(reduction="mean")(logits, True),
                               rtol=1e-6)


def test_bad_reduction():
    with pytest.raises(ValueError, match="fused_local_adversarial.reduction"):
        fused_adversarial.fused_local_adversarial(reduction="max")
