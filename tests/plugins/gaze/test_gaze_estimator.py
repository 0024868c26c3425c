"""The paper's gaze CNN: layer shapes, defaults, deterministic training that learns."""

import inspect

import numpy as np
import pytest

import toy_gaze_data
from simgan.plugins.gaze import angles, estimator


def test_paper_architecture_flattens_35x55_to_9600():
    model = estimator.gaze_estimator(dense_units=(8, 4))  # the paper's convs, small FCs
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [32, 32, 64, 80, 192]
    assert [c.kernel_size for c in convs] == [(3, 3)] * 5
    flatten = next(layer for layer in model.layers if type(layer).__name__ == "Flatten")
    assert flatten.output.shape[-1] == 9600
    assert model.output.shape[-1] == 3
    assert model.get_layer(estimator.FEATURES_LAYER).units == 4


def test_defaults_are_the_papers():
    model_defaults = inspect.signature(estimator.gaze_estimator.__wrapped__).parameters
    assert model_defaults["dense_units"].default == (9600, 1000)
    assert model_defaults["input_shape"].default == (35, 55, 1)
    train = inspect.signature(estimator.train_gaze_estimator.__wrapped__).parameters
    assert train["learning_rate"].default == 0.001
    assert train["batch_size"].default == 512


def test_training_learns_and_is_deterministic():
    arrays = next(iter(toy_gaze_data.toy_gaze_eyes(seed=0, num_examples=320).batch(320)))
    images, gaze = arrays["image"].numpy(), arrays["gaze"].numpy()
    kwargs = dict(input_shape=(20, 24, 1), conv_filters=(4, 4, 8, 8, 8), dense_units=(32, 16))
    models = [estimator.gaze_estimator(seed=3, **kwargs) for _ in range(2)]
    losses = [estimator.train_gaze_estimator(m, images[:256], gaze[:256], seed=1, steps=150,
                                              batch_size=64) for m in models]
    assert losses[0] == losses[1]
    predicted = estimator.predict_gaze(models[0], images[256:])
    np.testing.assert_allclose(np.linalg.norm(predicted, axis=1), 1.0, rtol=1e-6)
    error = angles.angular_error_deg(predicted, gaze[256:]).mean()
    mean_gaze = np.broadcast_to(gaze[:256].mean(axis=0), gaze[256:].shape)
    assert error < 0.5 * angles.angular_error_deg(mean_gaze, gaze[256:]).mean()


def test_training_rejects_mismatched_labels():
    model = estimator.gaze_estimator(input_shape=(20, 24, 1), dense_units=(4, 4))
    with pytest.raises(ValueError, match="same, non-zero number"):
        estimator.train_gaze_estimator(model, np.zeros((4, 20, 24, 1)), np.zeros((3, 3)), seed=0)
