"""PatchNCE (plugins/cut/patchnce.py): the InfoNCE value on hand-checkable features, the patch
draws, the terms over a tiny ResNet generator (gradients, shared heads, clear errors)."""

import math

import gin
import numpy as np
import pytest
import tensorflow as tf

from simgan.core.losses import RefinerInputs
from simgan.plugins.cut.patchnce import (PatchNCE, cut_identity, info_nce, patchnce,
                                         sample_locations)
from simgan.plugins.simgan.refiner import resnet_refiner

LAYERS = ("synthetic", "stem", "block0_out")


def test_identical_orthonormal_features_give_the_hand_computed_minimum():
    # Query i = key i, orthogonal to every other key: logits 1/tau on the diagonal, 0 elsewhere,
    # so the loss is -log(e^(1/tau) / (e^(1/tau) + S - 1)) = log(1 + (S - 1) e^(-1/tau)).
    features = tf.eye(8, 16, batch_shape=[2])
    for tau in (1.0, 0.07):
        expected = math.log(1 + 7 * math.exp(-1 / tau))
        np.testing.assert_allclose(info_nce(features, features, tau).numpy(), [expected] * 2,
                                   rtol=1e-5, atol=5e-7)  # float32 near 1/tau = 14
    assert float(info_nce(features, features, 1.0)[0]) == pytest.approx(1.27401, abs=1e-5)  # log(1+7/e)


def test_unrelated_features_give_log_of_the_patch_count():
    # Random directions in 4096 dimensions are nearly orthogonal: every logit ~0, loss ~log S.
    rng = np.random.default_rng(0)
    query, key = (tf.math.l2_normalize(rng.normal(size=[4, 32, 4096]).astype(np.float32), -1)
                  for _ in range(2))
    np.testing.assert_allclose(info_nce(query, key, 0.07).numpy(), math.log(32), atol=0.1)
    # Swapping the positives for negatives raises the loss far above it.
    assert float(tf.reduce_min(info_nce(query, tf.roll(query, 1, axis=1), 0.07))) > 10


def test_patch_draws_are_distinct_seeded_and_differ_between_seeds():
    a = sample_locations(tf.constant([3, 4], tf.int64), tf.constant(5), 96, 40).numpy()
    again = sample_locations(tf.constant([3, 4], tf.int64), tf.constant(5), 96, 40).numpy()
    other = sample_locations(tf.constant([3, 5], tf.int64), tf.constant(5), 96, 40).numpy()
    assert a.shape == (5, 40) and a.min() >= 0 and a.max() < 96
    assert all(len(set(row)) == 40 for row in a)
    np.testing.assert_array_equal(a, again)
    assert not np.array_equal(np.sort(a, 1), np.sort(other, 1))
    assert not np.array_equal(np.sort(a[0]), np.sort(a[1]))  # each image its own locations


def _generator():
    return resnet_refiner(input_shape=(8, 12, 1), filters=4, num_blocks=1)


def _term(**overrides) -> PatchNCE:
    settings = dict(layers=LAYERS, num_patches=16, mlp_units=8, temperature=0.07, seed=0)
    return patchnce(weight=1.0, **{**settings, **overrides})


def _inputs(generator, batch=3):
    rng = np.random.default_rng(1)
    synthetic, real = (tf.constant(rng.uniform(-1, 1, [batch, 8, 12, 1]).astype(np.float32))
                       for _ in range(2))
    return RefinerInputs(synthetic=synthetic, refined=generator(synthetic),
                         discriminator=lambda x: x, real=real, refiner=generator)


def test_gradients_reach_the_generator_and_the_heads_through_the_output_only():
    generator, term = _generator(), _term()
    term.build(generator)
    assert len(term.trainable_variables) == 4 * len(LAYERS)  # two Dense layers per layer
    rng = np.random.default_rng(1)
    source = tf.constant(rng.uniform(-1, 1, [3, 8, 12, 1]).astype(np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(source)
        output = generator(source)
        loss = term.loss(source, output)
    assert loss.shape == (3,) and np.all(np.isfinite(loss.numpy()))
    for variables in (generator.trainable_variables, term.trainable_variables):
        grads = tape.gradient(loss, variables)
        assert all(g is not None for g in grads)
        assert sum(float(tf.reduce_sum(tf.abs(g))) for g in grads) > 0
    # The source (key) side is held fixed, as in the authors' code.
    with tf.GradientTape() as tape:
        tape.watch(source)
        loss = term.loss(source, tf.stop_gradient(generator(source)))
    assert tape.gradient(loss, source) is None
    assert int(term.calls.numpy()) == 2


def test_each_call_draws_new_patches_and_a_rebuilt_term_repeats_them():
    generator = _generator()
    first, second = _term(), _term()
    first.build(generator)
    inputs = _inputs(generator)
    a, b = first.refiner_loss(inputs).numpy(), first.refiner_loss(inputs).numpy()
    assert not np.allclose(a, b)  # call 1 draws other patches than call 0
    second.build(generator)  # shares the heads, so only the draws could differ
    np.testing.assert_array_equal(second.refiner_loss(inputs).numpy(), a)
    reseeded = _term(seed=1)
    reseeded.build(generator)
    assert not np.allclose(reseeded.refiner_loss(inputs).numpy(), a)


def test_identity_term_reads_real_images_and_shares_patchnce_heads():
    gin.parse_config("patchnce.num_patches = 16\npatchnce.mlp_units = 8\n"
                     f"patchnce.layers = {list(LAYERS)!r}\n")
    generator = _generator()
    direct = _term()
    identity = cut_identity(weight=0.5)
    assert identity.needs_real and not direct.needs_real and identity.weight == 0.5
    assert identity.settings == direct.settings
    direct.build(generator)
    identity.build(generator)
    assert identity.heads is direct.heads
    inputs = _inputs(generator)
    expected = identity.loss(inputs.real, generator(inputs.real))
    identity.calls.assign(0)
    np.testing.assert_allclose(identity.refiner_loss(inputs).numpy(), expected.numpy(),
                               rtol=1e-6)


def test_bad_settings_and_unbuilt_terms_fail_naming_the_binding():
    generator = _generator()
    with pytest.raises(ValueError, match="patchnce.num_patches: 200 patches per image, but layer "
                                         "'synthetic' has only 96 locations"):
        _term(num_patches=200).build(generator)
    with pytest.raises(ValueError, match="has no layer 'block3_out'"):
        _term(layers=("stem", "block3_out")).build(generator)
    with pytest.raises(ValueError, match="index 40 is outside"):
        _term(layers=(40,)).build(generator)
    for bad, match in (({"num_patches": 1}, "num_patches: expected an integer >= 2"),
                       ({"temperature": 0.0}, "temperature: expected a number > 0"),
                       ({"layers": ()}, "layers: expected a non-empty list")):
        with pytest.raises(ValueError, match=match):
            _term(**bad)
    by_index = _term(layers=(0, 1, -2))
    by_index.build(generator)
    assert by_index.heads.shapes == ((8, 12, 1), (8, 12, 4), (8, 12, 4))
    one_layer = _term(layers=("stem",))
    one_layer.build(generator)
    assert one_layer.refiner_loss(_inputs(generator)).shape == (3,)
    with pytest.raises(ValueError, match="not built for this generator"):
        _term().refiner_loss(_inputs(generator))
