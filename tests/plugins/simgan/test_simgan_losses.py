"""Local adversarial loss (cross-entropy summed over patches) and self-regularization."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.simgan.logits import REAL, REFINED, patch_accuracy
from simgan.core.registries import LOSSES
import simgan.plugins.simgan  # noqa: F401


def test_local_adversarial_sums_cross_entropy_over_patches():
    logits = tf.random.normal([2, 3, 4, 2], seed=3)
    loss = LOSSES.build("local_adversarial")
    p = tf.nn.softmax(logits).numpy()
    expected_real = -np.log(p[..., REAL]).sum(axis=(1, 2))
    expected_refined = -np.log(p[..., REFINED]).sum(axis=(1, 2))
    np.testing.assert_allclose(loss(logits, True).numpy(), expected_real, rtol=1e-5)
    np.testing.assert_allclose(loss(logits, False).numpy(), expected_refined, rtol=1e-5)
    mean = LOSSES.build("local_adversarial", reduction="mean")
    np.testing.assert_allclose(mean(logits, True).numpy(), expected_real / 12, rtol=1e-5)


def test_unknown_reduction_is_a_clear_error():
    with pytest.raises(ValueError, match="reduction"):
        LOSSES.build("local_adversarial", reduction="max")


def test_patch_accuracy_counts_correct_patches():
    logits = np.zeros([1, 1, 4, 2], np.float32)
    logits[0, 0, :3, REAL] = 1.0  # 3 of 4 patches say real
    logits[0, 0, 3, REFINED] = 1.0
    np.testing.assert_allclose(patch_accuracy(tf.constant(logits), True).numpy(), [0.75])
    np.testing.assert_allclose(patch_accuracy(tf.constant(logits), False).numpy(), [0.25])


def test_self_regularization_psi_variants():
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, [2, 4, 4, 3]), tf.float32)
    r = x + 0.5
    identity = LOSSES.build("self_regularization", reduction="sum")
    np.testing.assert_allclose(identity(r, x).numpy(), [0.5 * 48] * 2, rtol=1e-5)
    per_pixel = LOSSES.build("self_regularization")
    np.testing.assert_allclose(per_pixel(r, x).numpy(), [0.5] * 2, rtol=1e-5)
    # A change that keeps each pixel's channel mean is invisible to psi = channel mean.
    shuffled = tf.reverse(x, axis=[-1])
    mean = LOSSES.build("self_regularization", psi="channel_mean")
    np.testing.assert_allclose(mean(shuffled, x).numpy(), [0, 0], atol=1e-5)
    assert identity(shuffled, x).numpy().min() > 0
    # Downsampling ignores zero-mean texture inside each 2x2 cell.
    checker = np.indices([4, 4]).sum(0) % 2 * 2 - 1.0
    textured = x + 0.1 * checker[None, :, :, None]
    down = LOSSES.build("self_regularization", downsample=2)
    np.testing.assert_allclose(down(textured, x).numpy(), [0, 0], atol=1e-5)
    with pytest.raises(ValueError, match="psi"):
        LOSSES.build("self_regularization", psi="vgg")


def test_self_regularization_high_pass_ignores_tone_and_keeps_edges():
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, [2, 6, 6, 1]), tf.float32)
    high = LOSSES.build("self_regularization", high_pass=3)
    # A brighter image (a tone change over the whole region) costs nothing ...
    np.testing.assert_allclose(high(x + 0.4, x).numpy(), [0, 0], atol=1e-5)
    # ... a moved edge does.
    edge = np.zeros([1, 6, 6, 1], np.float32)
    edge[:, :, 3:] = 1.0
    moved = np.roll(edge, 1, axis=2)
    assert high(tf.constant(moved), tf.constant(edge)).numpy()[0] > 0.1
    with pytest.raises(ValueError, match="high_pass"):
        LOSSES.build("self_regularization", high_pass=1)
