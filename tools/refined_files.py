"""Refined images written to a folder: PNGs under the inputs' names with ``labels.json``
(resumable), or one ``.npz`` (atomic), and the ``refine.json`` manifest.

- ``png``: one PNG per image, under the input's relative file name with the suffix ``.png``
  (``NNNNNN.png`` by position for a dataset without file names), and ``labels.json`` mapping
  each written file to its labels (read back by ``image_folder.labels = 'labels.json'``);
- ``npz``: ``refined.npz`` with ``images`` (uint8 ``[N, H, W, C]``), ``files`` when known, and
  one array per label, written atomically at the end.

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
from typing import Any, Iterator, Mapping

import gin
import keras
import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core import data
from simgan.io import exported, files, lock, read_errors
from simgan.io.figures import write_png
from simgan.plugins.eyes.image_folder import FILE_KEY  # the entry with the image's name

MANIFEST = "refine.json"
LABELS = "labels.json"
NPZ = "refined.npz"
_PARTIAL_LABELS = ".labels.partial.jsonl"


class RefineError(ValueError):
    """The output folder belongs to another refinement, or what was asked cannot be done."""


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


def write_manifest(output_dir: str, manifest: Mapping[str, Any]) -> None:
    files.atomic_write_text(files.join(output_dir, MANIFEST), json.dumps(manifest, indent=1))


def _with_progress(batches: Iterator[dict], total: int, done: int,
                   every: float) -> Iterator[dict]:
    """``batches``, logging after each one, at most every ``every`` seconds and after the last,
    how many images are done (of ``total``, unless unknown: < 0) and how fast."""
    start, first, logged, line = time.monotonic(), done, -float("inf"), None
    for batch in batches:
        yield batch
        done += len(batch[data.IMAGE_KEY])
        now = time.monotonic()
        of = f"/{total} images ({100.0 * done / total:.1f}%)" if total > 0 else " images"
        line = f"refine: {done}{of}, {(done - first) / max(now - start, 1e-9):.0f} images/s"
        if now - logged >= every:
            logging.info(line)
            logged, line = now, None
    if line:
        logging.info(line)


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
    """An element's labels for JSON; float32 values as their shortest decimal (13.64, not
    13.640000343322754), so labels read from a file are written back as they were."""
    def plain(value):
        array = np.asarray(value)
        if array.dtype != np.float32:
            return array.tolist()
        shortest = [float(str(x)) for x in array.ravel()]  # str of a NumPy float32
        return np.array(shortest).reshape(array.shape).tolist()

    return {k: plain(v) for k, v in element.items() if k not in (data.IMAGE_KEY, FILE_KEY)}


def write(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str, *,
          output_format: str, batch_size: int, identity: Mapping[str, Any], seed: int = 0,
          progress_seconds: float = 5.0, prefix: str = "") -> dict[str, Any]:
    """Refines ``dataset`` into ``output_dir`` as ``output_format`` ('png' or 'npz'; TFRecord
    goes through tools/converting.py), resuming a matching earlier PNG run. Batch k draws the
    refiner's noise and style from batch k of stream ``seed`` (io/exported.seed_draws), so a
    run resumed with the same batch size writes what an uninterrupted one would. Holds the
    folder's lock throughout. ``prefix`` is put before argument names in messages ('--' for
    the command)."""
    with lock.hold(output_dir, f"{prefix}output_dir"), read_errors.naming_files():
        manifest = check_resumable(output_dir, identity, prefix)
        if manifest is not None and manifest.get("complete"):
            logging.info("%s is already complete (%d images).", output_dir, manifest["images"])
            return manifest
        manifest = {"identity": dict(identity), "format": output_format, "images": 0,
                    "complete": False, **(manifest or {})}
        if output_format == "npz":  # atomic output: always written whole
            manifest["images"] = 0
            return _write_npz(dataset, refiner, output_dir, batch_size, seed, manifest,
                              progress_seconds)
        return _write_pngs(dataset, refiner, output_dir, batch_size, seed, manifest,
                           progress_seconds)


def _refine_at(refiner: keras.Model, images: np.ndarray, seed: int, batch: int) -> np.ndarray:
    """Batch ``batch`` of a refinement seeded ``seed``, as uint8."""
    exported.seed_draws(refiner, seed, batch)
    return data.to_uint8(refine_batch(refiner, images)).numpy()


def _write_pngs(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str,
                batch_size: int, seed: int, manifest: dict, progress_seconds: float) -> dict:
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
    batches = dataset.skip(done).batch(batch_size).prefetch(1).as_numpy_iterator()
    for batch in _with_progress(batches, int(dataset.cardinality()), done, progress_seconds):
        refined = _refine_at(refiner, batch[data.IMAGE_KEY], seed, done // batch_size)
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
        write_manifest(output_dir, manifest)
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
    write_manifest(output_dir, manifest)
    return manifest


def _write_npz(dataset: tf.data.Dataset, refiner: keras.Model, output_dir: str,
               batch_size: int, seed: int, manifest: dict, progress_seconds: float) -> dict:
    chunks: dict[str, list[np.ndarray]] = {}
    done = 0
    batches = dataset.batch(batch_size).prefetch(1).as_numpy_iterator()
    for batch in _with_progress(batches, int(dataset.cardinality()), 0, progress_seconds):
        batch = dict(batch)
        batch[data.IMAGE_KEY] = _refine_at(refiner, batch[data.IMAGE_KEY], seed,
                                           done // batch_size)
        for key, value in batch.items():
            chunks.setdefault("images" if key == data.IMAGE_KEY else
                              "files" if key == FILE_KEY else key, []).append(np.asarray(value))
        done += len(batch[data.IMAGE_KEY])
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
    write_manifest(output_dir, manifest)
    return manifest
