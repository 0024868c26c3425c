"""`simgan.load_refiner` and `simgan.refine`: a trained refiner applied from Python, to arrays
or, as `simgan-refine` does, to a folder or a registered dataset written to files."""

from __future__ import annotations

from typing import Any, Sequence

import gin
import keras
import numpy as np
import tensorflow as tf

from simgan.io import exported
from simgan.tools import refined_files, refining
from simgan.training import as_list, check_gin_files


class Refiner:
    """An exported refiner as a function: float32 image batches ``[N, H, W, C]`` in [-1, 1]
    (NumPy or tensors) to refined float32 NumPy batches of the same shape, in [-1, 1]."""

    def __init__(self, model: keras.Model, path: str | None = None):
        self.model = model
        self.path = path
        self.image_shape = refining.image_shape(model)

    def __call__(self, images: np.ndarray | tf.Tensor, batch_size: int = 256,
                 seed: int | None = None) -> np.ndarray:
        """Refines ``images`` ``batch_size`` at a time. Noise and style layers, if any, draw on
        every call, as in training; with ``seed`` the draws are the seed's (batch k draws batch
        k of stream ``seed``, as `simgan-refine` does), so the same seed gives the same images."""
        if batch_size < 1:
            raise ValueError(f"batch_size: expected an integer >= 1, got {batch_size}")
        dtype = images.dtype if isinstance(images, tf.Tensor) else np.asarray(images).dtype
        if tf.as_dtype(dtype) != tf.float32:
            raise ValueError(f"images: expected float32 values in [-1, 1], got "
                             f"{tf.as_dtype(dtype).name} (convert uint8 with x / 127.5 - 1)")
        shape = tuple(images.shape)
        if len(shape) != 4 or shape[1:] != self.image_shape:
            raise ValueError(f"images: expected a batch [N, {', '.join(map(str, self.image_shape))}"
                             f"] (the refiner's input), got shape {list(shape)}")
        if seed is not None:
            exported.seed_draws(self.model, seed)
        return np.concatenate([refined_files.refine_batch(self.model, images[i:i + batch_size])
                               for i in range(0, max(shape[0], 1), batch_size)])


def load_refiner(path: str) -> Refiner:
    """The exported refiner at ``path`` (e.g. ``<model_dir>/export/refiner.keras``) as a
    `Refiner`, float32 in and out whatever precision it trained in."""
    return Refiner(exported.load(path), path)


def refine(images: np.ndarray | tf.Tensor | None = None, *,
           refiner: str | Refiner | None = None, model_dir: str | None = None,
           input_dir: str | None = None, source: str | None = None, scope: str | None = None,
           output_dir: str | None = None, output_format: str = "png", batch_size: int = 64,
           max_records: int | None = None, seed: int = 0,
           gin_files: Sequence[str] | str = (), bindings: Sequence[str] | str = (),
           plugins: Sequence[str] | str = ()) -> np.ndarray | dict[str, Any]:
    """Refines ``images`` (a float32 batch; returns the refined batch) or, into ``output_dir``
    as `simgan-refine` does, the folder ``input_dir`` (PNGs under the same relative names and
    labels.json; 'npz' or 'tfrecord' with ``output_format``) or the registered dataset
    ``source`` (default with ``model_dir``: the run's synthetic dataset); returns the written
    folder's manifest. The refiner is ``refiner`` (a path or a loaded `Refiner`) or
    ``model_dir``'s export; ``model_dir`` also supplies the run's configuration (gin files and
    bindings are applied after it). ``seed`` fixes the refiner's noise and style draws (and a
    registered source's draw), so the same seed gives the same images. ``plugins`` (modules or
    .py paths) default to those ``model_dir`` recorded in training. Gin's global configuration
    is replaced."""
    if images is not None:
        if any(v is not None for v in (model_dir, input_dir, source, output_dir)):
            raise ValueError("images: refined in memory; model_dir, input_dir, source and "
                             "output_dir are for refining to files (leave images out)")
        if refiner is None:
            raise ValueError("refiner: expected a path or a loaded Refiner to refine images")
        loaded = refiner if isinstance(refiner, Refiner) else load_refiner(refiner)
        return loaded(images, batch_size, seed)
    if output_dir is None:
        raise ValueError("output_dir: expected the folder to write the refined images to "
                         "(or pass images to refine them in memory)")
    if isinstance(refiner, Refiner):
        if refiner.path is None:
            raise ValueError("refiner: a Refiner without its file; pass the .keras path")
        refiner = refiner.path
    check_gin_files(as_list(gin_files))
    gin.clear_config()
    refiner_path, source, scope = refining.prepare(
        model_dir=model_dir, refiner_path=refiner, input_dir=input_dir, source=source,
        scope=scope, gin_files=as_list(gin_files), bindings=as_list(bindings),
        plugin_modules=as_list(plugins))
    return refining.refine(refiner_path, output_dir, source=source, scope=scope, seed=seed,
                           input_dir=input_dir, output_format=output_format,
                           batch_size=batch_size, max_records=max_records)
