"""A randomly initialised InceptionV3 without its top, saved once per session in the format of
Keras's published weights file (the legacy HDF5 layout keras.applications loads by layer
order), so the 'inception' feature space is tested offline and fast (75x75 inputs)."""

import h5py
import keras
import numpy as np
import pytest

INCEPTION_SIZE = 75


def write_legacy_weights(model: keras.Model, path: str) -> None:
    """``model``'s weights as a legacy Keras HDF5 weights file: per layer a group holding its
    trainable then non-trainable weights, listed in ``layer_names`` / ``weight_names``."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = keras.__version__.encode()
        for layer in model.layers:
            group = f.create_group(layer.name)
            weights = layer.trainable_weights + layer.non_trainable_weights
            names = [f"{layer.name}/{i}_{w.name}".encode() for i, w in enumerate(weights)]
            group.attrs["weight_names"] = names
            for name, weight in zip(names, weights):
                group.create_dataset(name, data=np.asarray(weight.numpy()))


@pytest.fixture(scope="session")
def inception(tmp_path_factory) -> tuple[str, keras.Model]:
    """(the weights file, the model it was saved from)."""
    keras.utils.set_random_seed(0)
    model = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg",
                                           input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))
    path = str(tmp_path_factory.mktemp("inception") / "random_inception_notop.h5")
    write_legacy_weights(model, path)
    return path, model
