"""The spectrally normalized discriminator built from gin."""

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf

from simgan.core.registries import DISCRIMINATORS
from simgan.plugins.simgan import discriminator  # noqa: F401  (registers 'local', 'global')
from simgan.plugins.stabilizers import spectral_norm  # noqa: F401  (registers it)


def _largest_singular_values(model):
    return [np.linalg.svd(layer.layer.kernel.numpy().reshape(-1, layer.layer.kernel.shape[-1]),
                          compute_uv=False)[0]
            for layer in model.layers if isinstance(layer, keras.layers.SpectralNormalization)]


def test_spectral_norm_wraps_every_conv_of_the_gin_chosen_base_and_normalizes_them():
    gin.parse_config("spectral_norm.base = 'local'\nlocal.filters = (8, 8, 4, 4)")
    model = DISCRIMINATORS.build("spectral_norm", input_shape=(8, 12, 1))
    plain = DISCRIMINATORS.build("local", input_shape=(8, 12, 1))
    assert model.output_shape == plain.output_shape == (None, 2, 3, 2)
    assert len(_largest_singular_values(model)) == 5  # conv1..conv4, patch_logits
    images = tf.random.stateless_normal([4, 8, 12, 1], [0, 1])
    before = model(images, training=False).numpy()
    assert np.array_equal(model(images, training=False), before)  # inference: no update
    for _ in range(60):
        model(images, training=True)
    np.testing.assert_allclose(_largest_singular_values(model), 1.0, atol=0.05)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(images, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None and np.isfinite(g).all() for g in grads)


def test_spectral_norm_on_the_global_discriminator_in_bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = DISCRIMINATORS.build("spectral_norm", input_shape=(8, 8, 1), base="global")
        logits = model(tf.zeros([2, 8, 8, 1]), training=True)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.output_shape == (None, 1, 1, 2) and logits.shape == (2, 1, 1, 2)
    assert len(_largest_singular_values(model)) == 5  # conv1..conv4, the dense output


@pytest.mark.parametrize("kwargs, message", [
    (dict(base="spectral_norm"), "spectral_norm.base"),
    (dict(power_iterations=0), "spectral_norm.power_iterations"),
    (dict(base="nope"), "Unknown discriminators component 'nope'")])
def test_spectral_norm_bad_settings(kwargs, message):
    with pytest.raises((ValueError, KeyError), match=message):
        DISCRIMINATORS.build("spectral_norm", input_shape=(8, 8, 1), **kwargs)
