"""The exported refiner: where `simgan-train` writes it in a model dir and how it is read back.

An exported refiner takes and returns float32 whatever the precision it trained in: a refiner
built under a mixed policy (bfloat16, float16) computes in that type and would return it, so it
is exported inside a float32 wrapper (`float32_io`). It holds stock Keras layers only, so
``keras.saving.load_model(path)`` reads it without simgan.
"""

from __future__ import annotations

import posixpath

from typing import Iterator

import keras
import tensorflow as tf

EXPORT_PATH = posixpath.join("export", "refiner.keras")
FLOAT32 = "float32"
# Per refinement seed, each seeded layer's stream starts at SEED_STRIDE * seed + the layer's own
# seed (the refiner's noise and style layers are built with seeds n and n + 1).
SEED_STRIDE = 1000


def float32_io(model: keras.Model) -> keras.Model:
    """``model`` if its inputs and outputs are float32, else a model wrapping it that casts
    its float32 input as the model expects and returns float32."""
    tensors = [*model.inputs, *model.outputs]
    if all(keras.backend.standardize_dtype(t.dtype) == FLOAT32 for t in tensors):
        return model
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(f"refiner {model.name!r}: expected one input and one output, got "
                         f"{len(model.inputs)} and {len(model.outputs)}")
    inputs = keras.Input(model.inputs[0].shape[1:], dtype=FLOAT32, name="synthetic")
    refined = model(keras.ops.cast(inputs, model.inputs[0].dtype))
    outputs = keras.layers.Activation("linear", dtype=FLOAT32, name="float32_output")(refined)
    return keras.Model(inputs, outputs, name=f"{model.name}_float32")


def save(refiner: keras.Model, model_dir: str) -> str:
    """Saves ``refiner`` with float32 input and output as ``<model_dir>/export/refiner.keras``,
    atomically (a partial file is renamed over the final one and removed if saving fails),
    through tf.io.gfile so any filesystem TF knows works. A failed write (a full disk) raises
    OSError naming the path."""
    path = posixpath.join(model_dir, EXPORT_PATH)
    tf.io.gfile.makedirs(posixpath.dirname(path))
    partial = path[: -len(".keras")] + ".partial.keras"
    try:
        float32_io(refiner).save(partial)
        tf.io.gfile.rename(partial, path, overwrite=True)
    except BaseException as e:
        if tf.io.gfile.exists(partial):
            tf.io.gfile.remove(partial)
        if isinstance(e, OSError):
            raise OSError(e.errno, f"{path}: cannot write the exported refiner "
                                   f"({e.strerror or e})") from e
        raise
    return path


def load(path: str) -> keras.Model:
    """An exported refiner (.keras) with float32 input and output (an export of an earlier
    version may return its training precision: it is wrapped), with a clear error when it cannot
    be read."""
    if not tf.io.gfile.exists(path) or tf.io.gfile.isdir(path):
        raise FileNotFoundError(f"refiner {path!r}: no such file (expected an exported "
                                f"refiner, e.g. <model_dir>/{EXPORT_PATH})")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as e:  # keras raises many types for a bad archive
        raise ValueError(f"{path}: not a loadable Keras model ({type(e).__name__}: {e})") from e
    return float32_io(model)


def _seed_generators(model: keras.Layer) -> Iterator[tuple[int, keras.random.SeedGenerator]]:
    """(layer seed, generator) of every layer of ``model`` (nested models included) that draws
    from a Keras seed generator: the refiner's noise and style layers."""
    for layer in getattr(model, "layers", ()):
        generator = getattr(layer, "seed_generator", None)
        if isinstance(generator, keras.random.SeedGenerator):
            yield int(getattr(layer, "seed", None) or 0), generator
        yield from _seed_generators(layer)


def seed_draws(model: keras.Model, seed: int, batch: int = 0) -> None:
    """Points the random draws of ``model``'s noise and style layers at batch ``batch`` of
    stream ``seed``: each call of the model draws the next batch's, so batch k of a refinement
    seeded this way draws the same values whatever was refined before (a refinement is
    reproducible from its seed, and a resumed one draws what it would have drawn). A refiner
    without such layers is unchanged."""
    for layer_seed, generator in _seed_generators(model):
        state = [SEED_STRIDE * seed + layer_seed, batch]
        generator.state.assign(tf.constant(state, dtype=generator.state.dtype))
