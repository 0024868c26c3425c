"""The feature spaces: InceptionV3 read from a local weights file (resizing, gray to RGB, the
file really loaded), and clear errors for what the user gets wrong."""

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf

import toy_gaze_data
from inception_weights import SIZE as INCEPTION_SIZE, write_legacy_weights
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import features, samples


def _gray_images(n=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 20, 24, 1)).astype(np.float32)


def test_inception_features_are_the_weights_files_network_on_resized_rgb(inception):
    path, model = inception
    images = _gray_images()
    space = features.InceptionFeatures(weights=path, image_size=INCEPTION_SIZE)
    embedded = space.fit(images, images, seed=0)(images)
    rgb = tf.image.resize(np.repeat(images, 3, axis=-1), (INCEPTION_SIZE, INCEPTION_SIZE))
    assert embedded.shape == (3, 2048) and embedded.dtype == np.float64
    np.testing.assert_allclose(embedded, model(rgb, training=False).numpy(), rtol=1e-4, atol=1e-5)
    # A gray image and its RGB copy have the same features.
    colour = np.repeat(images, 3, axis=-1)
    np.testing.assert_allclose(space.fit(colour, colour, seed=0)(colour), embedded, atol=1e-5)


def test_inception_weights_errors_name_the_binding_and_the_file(tmp_path, inception):
    with pytest.raises(ValueError, match="inception_features.weights: not bound.*"
                                         "inception_v3_weights_tf_dim_ordering_tf_kernels_notop"):
        features.InceptionFeatures()
    with pytest.raises(FileNotFoundError, match="none.h5: no such file"):
        features.InceptionFeatures(weights=str(tmp_path / "none.h5"))
    with pytest.raises(ValueError, match="image_size: expected >= 75 .*got 64"):
        features.InceptionFeatures(weights=inception[0], image_size=64)
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    write_legacy_weights(other, str(tmp_path / "other.h5"))
    space = features.InceptionFeatures(weights=str(tmp_path / "other.h5"),
                                       image_size=INCEPTION_SIZE)
    with pytest.raises(ValueError, match="other.h5: not InceptionV3 weights without the top"):
        space.network((20, 24, 1))
    space = features.InceptionFeatures(weights=inception[0], image_size=INCEPTION_SIZE)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        space.network((20, 24, 2))


def test_weights_other_than_the_published_file_are_flagged(inception, caplog):
    features.InceptionFeatures(weights=inception[0], image_size=INCEPTION_SIZE)
    assert "is not Keras's published" in caplog.text


def test_unknown_feature_space_is_a_clear_error():
    with pytest.raises(ValueError, match="kid.features: expected one of 'inception', "
                                         "'classifier', 'pixels'; got 'vgg'"):
        EVALUATORS.build("kid", seed=0, output_dir="unused", domains=toy_gaze_data.DOMAINS,
                         features="vgg")


def test_evaluator_datasets_are_the_runs_unless_bound():
    run = toy_gaze_data.DOMAINS
    assert samples.sources("kid", run, dict.fromkeys(
        ["real_dataset", "real_scope", "synthetic_dataset", "synthetic_scope"])) == {
        "real": ("toy_gaze_eyes", "real"), "synthetic": ("toy_gaze_eyes", "synthetic")}
    bound = {"real_dataset": "image_array", "real_scope": "heldout", "synthetic_dataset": None,
             "synthetic_scope": None}
    assert samples.sources("kid", run, bound)["real"] == ("image_array", "heldout")
    with pytest.raises(ValueError, match="kid.synthetic_dataset: not bound, and no run's "
                                         "domains were given"):
        samples.sources("kid", None, bound)


def test_pixel_features_flatten():
    images = _gray_images(2)
    np.testing.assert_array_equal(features.PixelFeatures().fit(images, images, 0)(images),
                                  images.reshape(2, -1).astype(np.float64))


def test_feature_space_settings_are_gin_bindings():
    gin.parse_config("classifier_features.train_examples = 7")
    assert features.build("classifier", "kid").train_examples == 7
