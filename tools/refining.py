"""Refining a dataset to files: the library behind `simgan-refine` and `simgan.refine`.

A dataset of contract dicts (an ``image_folder`` built with ``file_names=True``, or any
registered dataset) goes through an exported refiner in batches, in the dataset's order, and is
written to a folder as

- ``png``: one PNG per image, under the input's relative file name with the suffix ``.png``
  (``NNNNNN.png`` by position for a dataset without file names), and ``labels.json`` mapping
  each written file to its labels (read back by ``image_folder.labels = 'labels.json'``);
- ``npz``: ``refined.npz`` with ``images`` (uint8 ``[N, H, W, C]``), ``files`` when known, and
  one array per label, written atomically at the end;
- ``tfrecord``: the converter's shards (tools/convert.py), read back by the ``tfrecord`` dataset.

``refine.json`` records the SHA-256 of the refiner and what was refined. PNG output is
resumable: after each batch the images, the labels so far and the count are on disk, and a
re-run with the same arguments continues after the last finished batch; a re-run with another
refiner or other arguments is refused, naming both.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import time
from typing import Any, Mapping, Sequence

import gin
import keras
import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core import config, data, exported, files, lock, plugins, read_errors, required
from simgan.core.engine import actions
from simgan.core.engine.config import TrainConfig
from simgan.core.figures import write_png
from simgan.core.registries import DATASETS
from simgan.tools import convert

FORMATS = ("png", "npz", "tfrecord")
MANIFEST = "refine.json"
LABELS = "labels.json"
NPZ = "refined.npz"
FILE_KEY = "file"  # image_folder's entry with the image's relative name
_PARTIAL_LABELS = ".labels.partial.jsonl"


class RefineError(ValueError):
    """The output folder belongs to another refinement, or what was asked cannot be done."""


def image_shape(refiner: keras.Model) -> tuple[int, int, int]:
    """The ``[H, W, C]`` the refiner takes (its input layer's shape)."""
    shape = tuple(refiner.inputs[0].shape[1:])
    if len(shape) != 3 or None in shape:
        raise RefineError(f"refiner {refiner.name!r}: expected a fixed input shape [H, W, C], "
                          f"got {shape}")
    return shape


def check_images(dataset: tf.data.Dataset, source: str, shape: tuple[int, ...]) -> None:
    """Fails naming ``source`` unless its images are float32 ``shape`` (the refiner's input)."""
    spec = data.check_contract(dataset, source)
    if tuple(spec.shape) != tuple(shape):
        raise RefineError(f"Dataset {source!r}: images are {tuple(spec.shape)} [H, W, C]; the "
                          f"refiner takes {tuple(shape)}")


def refine_batch(refiner: keras.Model, images: np.ndarray | tf.Tensor) -> np.ndarray:
    """The refined images of one float32 batch, clipped to [-1, 1], as float32 NumPy. Called
    without ``training``, as in training, so a refiner with noise channels draws its noise."""
    refined = refiner(tf.convert_to_tensor(images, tf.float32))
    return np.clip(np.asarray(refined, np.float32), -1.0, 1.0)


def identity_of(refiner_path: str, **arguments: Any) -> dict[str, Any]:
    """What a refinement is: the refiner's SHA-256 and path, the arguments, and a fingerprint
    of the gin bindings (they decide the source's contents and order)."""
    return {"refiner_sha256": files.sha256(refiner_path),
            "refiner": os.path.abspath(refiner_path),
            "arguments": arguments,
            "gin_sha256": hashlib.sha256(gin.config_str().encode()).hexdigest()}


def check_resumable(output_dir: str, identity: Mapping[str, Any], prefix: str) -> dict | None:
    """The manifest of an earlier refinement into ``output_dir`` with the same identity (None
    when there is none); another refiner or other arguments are refused."""
    text = files.read_text(files.join(output_dir, MANIFEST))
    if text is None:
        return None
    path = files.join(output_dir, MANIFEST)
    try:
        manifest = json.loads(text)
        previous_sha = manifest["identity"]["refiner_sha256"]
    except (ValueError, KeyError, TypeError) as e:
        raise RefineError(f"{path}: not a refine manifest ({type(e).__name__}: {e}); use "
                          f"another {prefix}output_dir or delete it") from e
    if previous_sha != identity["refiner_sha256"]:
        raise RefineError(
            f"{path}: this folder holds images of refiner sha256 {previous_sha} "
            f"({manifest['identity'].get('refiner')}); {identity['refiner']} has sha256 "
            f"{identity['refiner_sha256']}; use another {prefix}output_dir or delete it")
    before = manifest["identity"]
    changed = sorted(k for k, v in identity["arguments"].items()
                     if before.get("arguments", {}).get(k) != v)
    if changed or before.get("gin_sha256") != identity["gin_sha256"]:
        what = ", ".join(changed) if changed else "the gin bindings"
        raise RefineError(f"{path}: this folder holds a refinement with other arguments ({what}"
                          f" differ); use another {prefix}output_dir or delete it")
    return manifest


def _write_manifest(output_dir: str, manifest: Mapping[str, Any]) -> None:
    files.atomic_write_text(files.join(output_dir, MANIFEST), json.dumps(manifest, indent=1))


class Progress:
    """A log line every ``every`` seconds: images done, percent, rate and time left."""

    def __init__(self, total: int | None, done: int, every: float):
        self.total, self.every, self.start_done = total, every, done
        self.start = self.last = time.monotonic()

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        rate = (done - self.start_done) / max(now - self.start, 1e-9)
        if self.total:
            left = (self.total - done) / rate if rate > 0 else float("inf")
            logging.info("refine: %d/%d images (%.1f%%), %.0f images/s, %.0f s left", done,
                         self.total, 100.0 * done / self.total, rate, left)
        else:
            logging.info("refine: %d images, %.0f images/s", done, rate)


def _write_failed(path: str, what: str, error: OSError) -> OSError:
    """An OSError naming the output file that could not be written (a full disk, ...)."""
    return OSError(error.errno, f"{path}: cannot write the {what} ({error.strerror or error})")


def output_name(element: Mapping[str, Any], index: int) -> str:
    """The PNG's path relative to the output folder: the input's with suffix .png, or the
    element's position."""
    if FILE_KEY in element:
        name = element[FILE_KEY]
        name = name.decode("utf-8") if isinstance(name, bytes) else str(name)
        return posixpath.splitext(name)[0] + ".png"
    return f"{index:06d}.png"


def _labels(element: Mapping[str, np.ndarray]) -> dict[str, Any]:
    return {k: np.asarray(v).tolist() for k, v in element.items()
            if k not in (data.IMAGE_KEY, FILE_KEY)}


def write(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str, *,
          output_format: str, batch_size: int, identity: Mapping[str, Any],
          progress_seconds: float = 5.0, prefix: str = "") -> dict[str, Any]:
    """Refines ``dataset`` into ``output_dir`` as ``output_format`` ('png' or 'npz'; TFRecord
    goes through tools/convert.py), resuming a matching earlier PNG run. Holds the folder's lock
    throughout. ``prefix`` is put before argument names in messages ('--' for the command)."""
    if output_format not in ("png", "npz"):
        raise RefineError(f"{prefix}output_format: expected 'png' or 'npz' here, got "
                          f"{output_format!r}")
    if batch_size < 1:
        raise RefineError(f"{prefix}batch_size: expected an integer >= 1, got {batch_size}")
    with lock.hold(output_dir, f"{prefix}output_dir"), read_errors.naming_files():
        manifest = check_resumable(output_dir, identity, prefix)
        if manifest is not None and manifest.get("complete"):
            logging.info("%s is already complete (%d images).", output_dir, manifest["images"])
            return manifest
        manifest = {"identity": dict(identity), "format": output_format, "images": 0,
                    "complete": False, **(manifest or {})}
        if output_format == "npz":
            manifest["images"] = 0  # atomic output: always written whole
            return _write_npz(dataset, refiner, output_dir, batch_size, manifest,
                              progress_seconds)
        return _write_pngs(dataset, refiner, output_dir, batch_size, manifest, progress_seconds)


def _write_pngs(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str,
                batch_size: int, manifest: dict, progress_seconds: float) -> dict:
    partial = files.join(output_dir, _PARTIAL_LABELS)
    done, written = manifest["images"], {}
    if done:  # resume: keep the labels of the finished batches, forget a torn last line
        with open(partial, "r+b") as f:
            f.truncate(manifest["labels_bytes"])
        with open(partial, encoding="utf-8") as f:
            written = {row["file"]: row["source"] for row in map(json.loads, f)}
        logging.info("Resuming after %d images.", done)
    elif os.path.exists(partial):
        os.remove(partial)
    total = int(dataset.cardinality())
    progress = Progress(total if total >= 0 else None, done, progress_seconds)
    for batch in dataset.skip(done).batch(batch_size).prefetch(1).as_numpy_iterator():
        refined = data.to_uint8(refine_batch(refiner, batch[data.IMAGE_KEY])).numpy()
        rows = []
        for i, image in enumerate(refined):
            element = {k: v[i] for k, v in batch.items()}
            name = output_name(element, done + i)
            source = output_name({}, done + i) if FILE_KEY not in element else \
                element[FILE_KEY].decode("utf-8")
            if name in written:
                raise RefineError(f"{source!r} and {written[name]!r} would both be written as "
                                  f"{name!r}; rename one of them")
            written[name] = source
            path = files.join(output_dir, name)
            try:
                write_png(path, image)
            except OSError as e:
                raise _write_failed(path, "refined image", e) from e
            rows.append(json.dumps({"file": name, "source": source,
                                    "labels": _labels(element)}) + "\n")
        try:
            with open(partial, "a", encoding="utf-8") as f:
                f.writelines(rows)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise _write_failed(partial, "labels", e) from e
        done += len(refined)
        manifest.update(images=done, labels_bytes=os.path.getsize(partial))
        _write_manifest(output_dir, manifest)
        progress.update(done)
    progress.update(done, force=True)
    if not done:
        raise RefineError("the source yielded no images")
    labels = {}
    with open(partial, encoding="utf-8") as f:
        for row in map(json.loads, f):
            labels[row["file"]] = row["labels"]
    labels_path = files.join(output_dir, LABELS)
    try:
        files.atomic_write_text(labels_path, json.dumps(labels, indent=1) + "\n")
    except OSError as e:
        raise _write_failed(labels_path, "labels", e) from e
    os.remove(partial)
    manifest.pop("labels_bytes", None)
    manifest["complete"] = True
    _write_manifest(output_dir, manifest)
    return manifest


def _write_npz(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str,
               batch_size: int, manifest: dict, progress_seconds: float) -> dict:
    total = int(dataset.cardinality())
    progress = Progress(total if total >= 0 else None, 0, progress_seconds)
    chunks: dict[str, list[np.ndarray]] = {}
    done = 0
    for batch in dataset.batch(batch_size).prefetch(1).as_numpy_iterator():
        batch = dict(batch)
        batch[data.IMAGE_KEY] = data.to_uint8(refine_batch(refiner, batch[data.IMAGE_KEY]))
        for key, value in batch.items():
            chunks.setdefault("images" if key == data.IMAGE_KEY else
                              "files" if key == FILE_KEY else key, []).append(np.asarray(value))
        done += len(batch[data.IMAGE_KEY])
        progress.update(done)
    progress.update(done, force=True)
    if not done:
        raise RefineError("the source yielded no images")
    arrays = {k: np.concatenate(v) for k, v in chunks.items()}
    if "files" in arrays:
        arrays["files"] = arrays["files"].astype(str)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path = files.join(output_dir, NPZ)
    try:
        files.atomic_write_bytes(path, buffer.getvalue())
    except OSError as e:
        raise _write_failed(path, "refined arrays", e) from e
    manifest.update(images=done, complete=True)
    _write_manifest(output_dir, manifest)
    return manifest


# ---- what to refine ---------------------------------------------------------------------------

RUN_SCOPE = "synthetic"  # the gin scope a training run builds its synthetic dataset under
FOLDER_DATASET = "image_folder"


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
    plugins.load_all(plugin_modules)
    gin_files = list(gin_files)
    if model_dir:
        run_config = files.join(model_dir, actions.FULL_CONFIG)
        if not tf.io.gfile.exists(run_config):
            raise FileNotFoundError(f"{prefix}model_dir {model_dir!r}: no {actions.FULL_CONFIG};"
                                    " is it a simgan-train model dir?")
        gin_files.insert(0, run_config)
        refiner_path = refiner_path or files.join(model_dir, exported.EXPORT_PATH)
        scope = RUN_SCOPE if scope is None else scope
    config.parse(gin_files, bindings)
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
        dataset = required.build(DATASETS, source, seed=seed)
    check_images(dataset, source, shape)
    return dataset if max_records is None else dataset.take(max_records)


def refine(refiner_path: str, output_dir: str, *, source: str, scope: str = "", seed: int = 0,
           input_dir: str | None = None, output_format: str = "png", batch_size: int = 64,
           max_records: int | None = None, records_per_shard: int = 10000,
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
                     batch_size=batch_size, identity=identity,
                     progress_seconds=progress_seconds, prefix=prefix)
    check_resumable(output_dir, identity, prefix)
    prefix_scope = f"{scope}/" if scope else ""
    with gin.unlock_config():
        for param, value in dict(source=source, refiner=refiner_path,
                                 batch_size=batch_size).items():
            gin.bind_parameter(f"{prefix_scope}refined.{param}", value)
    converted = convert.convert("refined", output_dir, seed, scope, records_per_shard,
                                max_records, progress_seconds)
    manifest = {"identity": identity, "format": output_format,
                "images": converted["records"], "complete": True}
    _write_manifest(output_dir, manifest)
    return manifest
