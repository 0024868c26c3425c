"""The exported refiner: where `simgan-train` writes it in a model dir and how it is read back."""

from __future__ import annotations

import posixpath

import keras
import tensorflow as tf

EXPORT_PATH = posixpath.join("export", "refiner.keras")


def save(refiner: keras.Model, model_dir: str) -> str:
    """Saves ``refiner`` as ``<model_dir>/export/refiner.keras``, atomically (a partial file is
    renamed over the final one), through tf.io.gfile so any filesystem TF knows works."""
    path = posixpath.join(model_dir, EXPORT_PATH)
    tf.io.gfile.makedirs(posixpath.dirname(path))
    partial = path[: -len(".keras")] + ".partial.keras"
    refiner.save(partial)
    tf.io.gfile.rename(partial, path, overwrite=True)
    return path


def load(path: str) -> keras.Model:
    """An exported refiner (.keras), with a clear error when it cannot be read."""
    if not tf.io.gfile.exists(path) or tf.io.gfile.isdir(path):
        raise FileNotFoundError(f"refiner {path!r}: no such file (expected an exported "
                                f"refiner, e.g. <model_dir>/{EXPORT_PATH})")
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as e:  # keras raises many types for a bad archive
        raise ValueError(f"{path}: not a loadable Keras model ({type(e).__name__}: {e})") from e
