"""What to refine and how: the library behind `simgan-refine` and `simgan.refine`.

A run's configuration and exported refiner (or a refiner file), and a folder of images (read as
``image_folder`` in sorted order, with file names) or any registered dataset, go through the
refiner in batches in the dataset's order, into PNGs or an ``.npz`` (tools/refined_files.py) or
the converter's TFRecord shards (tools/converting.py, read back by the ``tfrecord`` dataset).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import gin
import keras
import tensorflow as tf

from simgan.core import data
from simgan.core.engine.config import TrainConfig
from simgan.core.registries import DATASETS
from simgan.io import exported
from simgan.tools import converting, run_config
from simgan.tools.refined_files import (RefineError, check_resumable, identity_of, write,
                                        write_manifest)

FORMATS = ("png", "npz", "tfrecord")
RUN_SCOPE = "synthetic"  # the gin scope a training run builds its synthetic dataset under
FOLDER_DATASET = "image_folder"


def image_shape(refiner: keras.Model) -> tuple[int, int, int]:
    """The ``[H, W, C]`` the refiner takes (its input layer's shape)."""
    shape = tuple(refiner.inputs[0].shape[1:])
    if len(shape) != 3 or None in shape:
        raise RefineError(f"refiner {refiner.name!r}: expected a fixed input shape [H, W, C], "
                          f"got {shape}")
    return shape


def check_images(dataset: tf.data.Dataset, where: str, shape: tuple[int, ...]) -> None:
    """Fails naming ``where`` (``data.describe``'s text) unless its images are float32 ``shape``
    (the refiner's input)."""
    spec = data.check_contract(dataset, where)
    if tuple(spec.shape) != tuple(shape):
        raise RefineError(f"{where}: images are {tuple(spec.shape)} [H, W, C]; the refiner takes "
                          f"{tuple(shape)}")


def prepare(*, model_dir: str | None, refiner_path: str | None, input_dir: str | None,
            source: str | None, scope: str | None, gin_files: Sequence[str],
            bindings: Sequence[str], plugin_modules: Sequence[str],
            prefix: str = "") -> tuple[str, str | None, str]:
    """Loads the plugins and parses gin for a refinement: a run's ``config.gin`` first (with
    ``model_dir``), then ``gin_files`` and ``bindings``. Returns the refiner's path (``model_dir``'s
    export unless ``refiner_path`` is given), the source (``source``; else, without
    ``input_dir``, the run's synthetic dataset) and the gin scope to build it under (``scope``;
    else the run's 'synthetic' with ``model_dir``, none without)."""
    if not (model_dir or refiner_path):
        raise RefineError(f"give {prefix}model_dir (a simgan-train run) or {prefix}refiner (an "
                          "exported refiner)")
    if input_dir and source:
        raise RefineError(f"give {prefix}input_dir or {prefix}source, not both")
    if not (model_dir or input_dir or source):
        raise RefineError(f"give {prefix}input_dir or {prefix}source (without {prefix}model_dir "
                          "there is no run's synthetic dataset to refine)")
    refiner_path = run_config.parse(
        model_dir=model_dir, refiner_path=refiner_path, gin_files=gin_files, bindings=bindings,
        plugin_modules=plugin_modules, prefix=prefix,
        plugin_flag=f"{prefix}plugin" if prefix else "plugins")
    if model_dir and scope is None:
        scope = RUN_SCOPE
    if model_dir and not (source or input_dir):
        source = TrainConfig().synthetic_dataset  # the run's
    return refiner_path, source, scope or ""


def bind_input_folder(input_dir: str, scope: str, shape: tuple[int, int, int],
                      file_names: bool) -> None:
    """Binds ``image_folder`` under gin scope ``scope`` to read ``input_dir`` whole, in sorted
    order, at the refiner's ``shape``, refusing an image of another channel count; its other
    parameters (labels, fit) stay as the configuration binds them (a run's synthetic folder)."""
    prefix = f"{scope}/" if scope else ""
    height, width, channels = shape
    with gin.unlock_config():
        for param, value in dict(path=input_dir, height=height, width=width, channels=channels,
                                 shuffle=False, file_names=file_names, strict_channels=True,
                                 split="all", holdout=0.0).items():
            gin.bind_parameter(f"{prefix}{FOLDER_DATASET}.{param}", value)


def build_source(source: str, scope: str, seed: int, shape: tuple[int, int, int],
                 max_records: int | None) -> tf.data.Dataset:
    """Registered dataset ``source`` built under gin scope ``scope`` (a missing required
    parameter is one line), checked against the refiner's input ``shape``."""
    with gin.config_scope(scope):
        dataset = DATASETS.build(source, seed=seed)
    check_images(dataset, data.describe(source, scope), shape)
    return dataset if max_records is None else dataset.take(max_records)


def refine(refiner_path: str, output_dir: str, *, source: str | None, scope: str = "",
           seed: int = 0, input_dir: str | None = None, output_format: str = "png",
           batch_size: int = 64, max_records: int | None = None, records_per_shard: int = 10000,
           progress_seconds: float = 5.0, prefix: str = "") -> dict[str, Any]:
    """Refines ``input_dir`` (read as ``image_folder`` under ``scope``) or registered dataset
    ``source`` (under ``scope``) with the exported refiner at ``refiner_path`` into
    ``output_dir`` as ``output_format``; returns the manifest. Gin must be parsed (a run's
    config, bindings) and the plugins loaded."""
    if output_format not in FORMATS:
        raise RefineError(f"{prefix}output_format: expected one of {FORMATS}, got "
                          f"{output_format!r}")
    if batch_size < 1:
        raise RefineError(f"{prefix}batch_size: expected an integer >= 1, got {batch_size}")
    refiner = exported.load(refiner_path)
    shape = image_shape(refiner)
    if input_dir is not None:
        if not os.path.isdir(input_dir):
            raise RefineError(f"{prefix}input_dir {input_dir!r}: no such directory")
        source = FOLDER_DATASET
        bind_input_folder(input_dir, scope, shape, file_names=output_format != "tfrecord")
    identity = identity_of(refiner_path, source=source, scope=scope, seed=seed,
                           input_dir=input_dir and os.path.abspath(input_dir),
                           output_format=output_format, max_records=max_records)
    dataset = build_source(source, scope, seed, shape, max_records)
    if output_format != "tfrecord":
        return write(dataset, refiner, output_dir, output_format=output_format,
                     batch_size=batch_size, identity=identity, seed=seed,
                     progress_seconds=progress_seconds, prefix=prefix)
    check_resumable(output_dir, identity, prefix)
    prefix_scope = f"{scope}/" if scope else ""
    with gin.unlock_config():
        for param, value in dict(source=source, refiner=refiner_path,
                                 batch_size=batch_size).items():
            gin.bind_parameter(f"{prefix_scope}refined.{param}", value)
    converted = converting.convert("refined", output_dir, seed, scope, records_per_shard,
                                   max_records, progress_seconds)
    manifest = {"identity": identity, "format": output_format,
                "images": converted["records"], "complete": True}
    write_manifest(output_dir, manifest)
    return manifest
