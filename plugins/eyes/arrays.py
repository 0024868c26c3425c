"""Unlabelled real images stored as one NumPy array: a ``.npy`` file or a key of a ``.npz``."""

from __future__ import annotations

import zipfile
import zlib

import numpy as np
import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins.eyes import pipeline, records

_NAME = "image_array"


_NPY_MAGIC, _ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"


def _is_npy(path: str) -> bool:
    """Whether ``path`` holds a .npy array (True) or a .npz archive (False), told by content,
    not by name; anything else fails naming the file."""
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except OSError as e:
        records.fail(path, f"{_NAME}.path", "a readable .npz or .npy file", e.strerror)
    if head.startswith(_NPY_MAGIC) or head.startswith(_ZIP_MAGIC):
        return head.startswith(_NPY_MAGIC)
    records.fail(path, "(file)", "a NumPy .npy array or .npz archive (told by content)",
                 f"a file starting with {head!r}")


def load(path: str, key: str) -> np.ndarray:
    """The uint8 image array ``[N, H, W(, C)]`` in ``path``, a ``.npy`` array (memory-mapped)
    or a ``.npz`` archive whatever the file's name says."""
    records.require_file(path, f"{_NAME}.path", "an existing .npz or .npy file")
    npy = _is_npy(path)
    field = "array" if npy else key
    try:
        if npy:
            images = np.load(path, mmap_mode="r", allow_pickle=False)
        else:
            with np.load(path, allow_pickle=False) as archive:
                images = archive[key] if key in archive.files else archive.files
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as e:
        records.fail(path, field, "a readable NumPy .npz/.npy file", f"{type(e).__name__}: {e}")
    if isinstance(images, list):
        records.fail(path, key, f"an array named {key!r} (set {_NAME}.key)", f"arrays {images}")
    pipeline.check_uint8(path, field, images.dtype)
    if len(images) == 0:
        records.fail(path, field, "at least one image", "an empty array")
    return images


@DATASETS.register(_NAME)
def image_array(*, seed: int, path: str, key: str = "images", height: int = 35, width: int = 55,
                fit: str = "crop", shuffle: bool = True) -> tf.data.Dataset:
    """Unlabelled uint8 images ``[N, H, W(, C)]`` from a ``.npz`` (array ``key``) or ``.npy``.

    ``fit='crop'`` centre-crops to ``height x width`` (MPIIGaze's 36x60 crops -> 35x55 without
    interpolation); ``'resize'`` rescales. ``shuffle`` permutes the record order with ``seed``.
    """
    pipeline.check_fit(fit, _NAME)
    images = load(path, key)
    pipeline.check_image_shape(path, key, images.shape, height, width, fit, _NAME)
    images = pipeline.as_channels_last(images)
    if isinstance(images, np.memmap):  # a .npy: read it block by block, never all at once
        signature = {"image": tf.TensorSpec(images.shape[1:], tf.uint8)}
        blocks = pipeline.lazy_blocks(lambda a, b: {"image": np.asarray(images[a:b])},
                                      len(images), signature, seed, shuffle)
    else:
        blocks = pipeline.in_memory({"image": images}, seed, shuffle)
    return pipeline.finish(blocks, len(images), height, width, fit)
