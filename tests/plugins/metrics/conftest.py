"""A randomly initialised InceptionV3 saved once per session in the format of Keras's
published weights file (tests/inception_weights.py)."""

import keras
import pytest

import inception_weights


@pytest.fixture(scope="session")
def inception(tmp_path_factory) -> tuple[str, keras.Model]:
    """(the weights file, the model it was saved from)."""
    path = str(tmp_path_factory.mktemp("inception") / "random_inception_notop.h5")
    return path, inception_weights.random_inception(path)
