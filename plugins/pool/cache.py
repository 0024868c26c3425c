"""Render once: the arrays of a pool cached on disk, keyed by what produced them.

A pool's elements are saved as ``<cache_dir>/<dataset>-<key>.npz`` beside a ``.json`` sidecar
holding the SHA-256 of the .npz and the key's inputs. The key hashes the dataset's name, its
gin-resolved parameters, the seed, the pool size and the source files of the package that
defines the factory, so changing any of them renders again. The .npz is written atomically
before its sidecar; a file whose hash does not match its sidecar is ignored (and rewritten).

Default location: ``$SIMGAN_CACHE/pools``, else ``~/.cache/simgan/pools``; clear it with
``rm -rf ~/.cache/simgan/pools`` (docs/PERFORMANCE.md). The cache is read and written through
``tf.io.gfile``, so ``$SIMGAN_CACHE`` may be any filesystem TensorFlow knows (gs://, ram://).
A cache folder that cannot be read or written (read-only, full) costs one warning and the run
goes on without the cache: the pool is rendered as if ``pool.cache = False``.
"""

from __future__ import annotations

import glob
import hashlib
import inspect
import io
import json
import os

import gin
import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core.registry import Entry
from simgan.io import files

CACHE_ENV = "SIMGAN_CACHE"
_unusable: set[str] = set()  # cache folders that failed once: warned about, not tried again


def _give_up(directory: str, error: Exception) -> None:
    """Warns once per folder that the cache is off, and why (the OS's error, naming the path)."""
    if directory not in _unusable:
        _unusable.add(directory)
        reason = error.__cause__ if isinstance(error, files.WriteError) else error
        logging.warning("Pool cache %s is unusable (%s); going on without it (set $%s to a "
                        "writable folder, or pool.cache = False)", directory,
                        " ".join(str(reason).split()), CACHE_ENV)


def default_dir() -> str:
    """``$SIMGAN_CACHE/pools``, else ``~/.cache/simgan/pools``."""
    root = os.environ.get(CACHE_ENV) or os.path.join(os.path.expanduser("~"), ".cache", "simgan")
    return files.join(root, "pools")


def _source_digest(entry: Entry) -> str:
    """SHA-256 of the .py files in the folder of the module defining ``entry``."""
    digest = hashlib.sha256()
    folder = os.path.dirname(os.path.abspath(inspect.getsourcefile(entry.original)))
    for path in sorted(glob.glob(os.path.join(folder, "*.py"))):
        with open(path, "rb") as f:
            digest.update(os.path.basename(path).encode() + b"\0" + f.read())
    return digest.hexdigest()


def key_inputs(entry: Entry, seed: int, size: int | None) -> dict:
    """What the cached arrays depend on: parameters as gin resolves them in the active scope
    (defaults included), the seed, the size and the factory package's source digest."""
    parameters = {name: repr(default) for name, default in entry.parameters().items()}
    parameters.update({name: repr(value)
                       for name, value in gin.get_bindings(entry.configurable).items()})
    return {"dataset": entry.name, "parameters": dict(sorted(parameters.items())), "seed": seed,
            "size": size, "source_sha256": _source_digest(entry)}


def _paths(directory: str, inputs: dict) -> tuple[str, str]:
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]
    stem = files.join(directory, f"{inputs['dataset']}-{key}")
    return stem + ".npz", stem + ".json"


def load(directory: str, inputs: dict) -> dict[str, np.ndarray] | None:
    """The cached arrays for ``inputs``, or None when absent, unreadable or failing
    verification."""
    if directory in _unusable:
        return None
    data_path, sidecar_path = _paths(directory, inputs)
    try:
        sidecar = files.read_text(sidecar_path)
        if sidecar is None or not tf.io.gfile.exists(data_path):
            return None
        with tf.io.gfile.GFile(data_path, "rb") as f:
            payload = f.read()
    except (OSError, tf.errors.OpError) as e:
        _give_up(directory, e)
        return None
    try:
        expected = json.loads(sidecar)["sha256"]
    except (ValueError, KeyError, TypeError) as e:
        logging.warning("Pool cache %s: unreadable sidecar (%s); rendering again", sidecar_path, e)
        return None
    if hashlib.sha256(payload).hexdigest() != expected:
        logging.warning("Pool cache %s: SHA-256 does not match %s; rendering again", data_path,
                        sidecar_path)
        return None
    with np.load(io.BytesIO(payload)) as archive:
        arrays = {name: archive[name] for name in archive.files}
    logging.info("Pool loaded from cache %s", data_path)
    return arrays


def save(directory: str, inputs: dict, arrays: dict[str, np.ndarray]) -> str | None:
    """Writes ``arrays`` (atomically) and then their sidecar; returns the .npz path, or None
    (after one warning per folder) when the folder cannot be written."""
    if directory in _unusable:
        return None
    data_path, sidecar_path = _paths(directory, inputs)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    payload = buffer.getvalue()
    try:
        files.atomic_write_bytes(data_path, payload)
        files.atomic_write_text(sidecar_path, json.dumps(
            {"sha256": hashlib.sha256(payload).hexdigest(), "key": inputs}, indent=2,
            sort_keys=True) + "\n")
    except files.WriteError as e:
        _give_up(directory, e)
        return None
    logging.info("Pool cached in %s", data_path)
    return data_path
