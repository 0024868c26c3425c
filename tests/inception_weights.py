"""Support for the Inception feature tests: a model's weights written in the format of Keras's
published InceptionV3 weights file (the legacy HDF5 layout keras.applications loads by layer
order), so a randomly initialised InceptionV3 stands in for the real file, offline."""

import h5py
import keras
import numpy as np

SIZE = 75  # InceptionV3's smallest input: the fastest the tests can run it


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


def random_inception(path: str) -> keras.Model:
    """A seeded, randomly initialised InceptionV3 without its top on SIZE x SIZE inputs, its
    weights written to ``path``; returns the model."""
    keras.utils.set_random_seed(0)
    model = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg",
                                           input_shape=(SIZE, SIZE, 3))
    write_legacy_weights(model, path)
    return model
