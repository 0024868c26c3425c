"""HDF5 image files: the Kaggle eye-gaze layout and a generic layout for any domain.

Kaggle ("4quant/eye-gaze", used by many SimGAN re-implementations): ``gaze.h5`` has a group
``image`` of 2-D uint8 datasets (one per UnityEyes render) and ``look_vec`` [N, 3 or 4] (the
UnityEyes gaze, converted like the ``unityeyes`` reader does); ``real_gaze.h5`` has only the
``image`` group (MPIIGaze crops). Images are paired with ``look_vec`` rows in the natural
order of their names (``2`` before ``10``). ``image`` may also be a single [N, H, W] dataset.

Generic: a uint8 dataset ``images`` [N, H, W] or [N, H, W, C] plus optional label datasets
[N, ...] at the top level; ``gaze`` [N, 3] must already be in the project frame.

Images are read lazily, block by block; labels are read and validated when the dataset is built.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins import extras
from simgan.plugins.eyes import pipeline, records
from simgan.plugins.eyes.unityeyes import LOOK_VEC_TO_CAMERA

h5py = extras.deferred("h5py", "hdf5", "The hdf5 datasets (HDF5 / MATLAB v7.3 files)")


def _open(path: str, source: str) -> h5py.File:
    records.require_file(path, f"{source}.path", "an existing HDF5 file")
    try:
        return h5py.File(path, "r")
    except OSError as e:  # truncated, not HDF5, unreadable
        records.fail(path, "(file)", "a readable HDF5 file", str(e))


def _natural(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _image_group_shape(group: h5py.Group, path: str, field: str) -> tuple[list[str], tuple]:
    """Keys (natural order) of a group of per-image 2-D uint8 datasets, and [N, H, W]."""
    keys = sorted(group.keys(), key=_natural)
    if not keys:
        records.fail(path, field, "a group of per-image datasets", "an empty group")
    first = None
    for key in keys:
        item = group[key]
        if not isinstance(item, h5py.Dataset):
            records.fail(path, f"{field}/{key}", "a 2-D uint8 image dataset", "a group")
        pipeline.check_uint8(path, f"{field}/{key}", item.dtype)
        first = first or item.shape
        if item.ndim != 2 or item.shape != first:
            records.fail(path, f"{field}/{key}", f"a 2-D image of shape {first}",
                         f"shape {item.shape}")
    return keys, (len(keys), *first)


def _images(file: h5py.File, path: str, field: str):
    """(shape [N, H, W(, C)], read(open file, start, stop) -> uint8 [n, H, W, C]) of ``field``."""
    if field not in file:
        records.fail(path, field, "an image dataset or group", f"missing (has {list(file)})")
    node = file[field]
    if isinstance(node, h5py.Group):
        keys, shape = _image_group_shape(node, path, field)

        def read(f, start, stop):
            group = f[field]
            return np.stack([group[k][()] for k in keys[start:stop]])[..., None]

        return shape, read
    pipeline.check_uint8(path, field, node.dtype)
    shape = node.shape
    if len(shape) not in (3, 4):
        records.fail(path, field, "images [N, H, W] or [N, H, W, C]", f"shape {shape}")
    if shape[0] == 0:
        records.fail(path, field, "at least one image", f"none (shape {shape})")
    return shape, lambda f, start, stop: pipeline.as_channels_last(f[field][start:stop])


def _dataset(path: str, source: str, image_field: str, labels: dict[str, np.ndarray],
             ok: np.ndarray, shape: tuple, read, seed: int, height: int, width: int, fit: str,
             shuffle: bool) -> tf.data.Dataset:
    """The contract dataset: images read lazily by blocks, rows where ``ok`` is False left out."""
    pipeline.check_image_shape(path, image_field, shape, height, width, fit, source)
    channels = shape[3] if len(shape) == 4 else 1
    signature = {"image": tf.TensorSpec((*shape[1:3], channels), tf.uint8)}
    signature.update({k: tf.TensorSpec(v.shape[1:], tf.float32) for k, v in labels.items()})

    def read_block(start, stop):
        with h5py.File(path, "r") as f:
            block = {"image": read(f, start, stop)}
        block.update({k: v[start:stop] for k, v in labels.items()})
        keep = ok[start:stop]
        return {k: v[keep] for k, v in block.items()}

    blocks = pipeline.lazy_blocks(read_block, shape[0], signature, seed, shuffle)
    return pipeline.finish(blocks, int(ok.sum()), height, width, fit)


def _label(file: h5py.File, path: str, name: str, n: int, bad: records.BadRecords
           ) -> tuple[np.ndarray, np.ndarray]:
    """A validated label dataset [N, ...] as float32, and its mask of finite rows."""
    node = file[name]
    if not isinstance(node, h5py.Dataset) or not np.issubdtype(node.dtype, np.number):
        records.fail(path, name, f"a numeric label dataset [{n}, ...]", f"{node}")
    if node.ndim == 0 or node.shape[0] != n:
        records.fail(path, name, f"[{n}, ...] (one row per image)", f"shape {node.shape}")
    if name == "gaze":
        return records.finite_unit_vectors(node[()], path, name, 3, bad)
    values = node[()].astype(np.float32)
    ok = np.isfinite(values.reshape(n, -1)).all(axis=1)
    for row in np.flatnonzero(~ok):
        bad.bad(path, f"{name}[{row}]", "finite values", str(values[row]))
    return values, ok


@DATASETS.register("hdf5")
def hdf5(*, seed: int, path: str, images: str = "images", labels: Sequence[str] | None = None,
         height: int = 35, width: int = 55, fit: str = "crop", shuffle: bool = True,
         skip_bad_records: bool = False) -> tf.data.Dataset:
    """Generic HDF5: uint8 ``images`` [N, H, W(, C)] and label datasets [N, ...] by name.

    ``labels=None`` takes every other top-level numeric dataset with N rows; ``gaze`` is
    normalised to unit length. ``shuffle`` permutes the (block) order with ``seed``.
    """
    pipeline.check_fit(fit, "hdf5")
    bad = records.BadRecords("hdf5", skip_bad_records)
    with _open(path, "hdf5") as file:
        shape, read = _images(file, path, images)
        if labels is None:
            labels = [k for k, v in file.items() if k != images and isinstance(v, h5py.Dataset)
                      and v.ndim > 0 and v.shape[0] == shape[0]
                      and np.issubdtype(v.dtype, np.number)]
        ok = np.ones(shape[0], bool)
        values = {}
        for name in labels:
            if name not in file:
                records.fail(path, name, "a label dataset", f"missing (has {list(file)})")
            values[name], label_ok = _label(file, path, name, shape[0], bad)
            ok &= label_ok
    bad.report(int(ok.sum()))
    return _dataset(path, "hdf5", images, values, ok, shape, read, seed, height, width, fit,
                    shuffle)


@DATASETS.register("hdf5_gaze")
def hdf5_gaze(*, seed: int, path: str, height: int = 35, width: int = 55, fit: str = "crop",
              shuffle: bool = True, skip_bad_records: bool = False) -> tf.data.Dataset:
    """Kaggle eye-gaze HDF5 (``gaze.h5``: images + ``gaze`` from ``look_vec``; ``real_gaze.h5``).

    ``shuffle`` permutes the (block) order with ``seed``.
    """
    pipeline.check_fit(fit, "hdf5_gaze")
    bad = records.BadRecords("hdf5_gaze", skip_bad_records)
    with _open(path, "hdf5_gaze") as file:
        shape, read = _images(file, path, "image")
        ok = np.ones(shape[0], bool)
        labels = {}
        if "look_vec" in file:
            look_vec = np.asarray(file["look_vec"])
            if look_vec.ndim != 2 or len(look_vec) != shape[0] or look_vec.shape[1] not in (3, 4):
                records.fail(path, "look_vec", f"[{shape[0]}, 3 or 4] (one row per image)",
                             f"{look_vec.dtype} {look_vec.shape}")
            unit, ok = records.finite_unit_vectors(look_vec[:, :3], path, "look_vec", 3, bad)
            labels["gaze"] = unit * LOOK_VEC_TO_CAMERA
    bad.report(int(ok.sum()))
    return _dataset(path, "hdf5_gaze", "image", labels, ok, shape, read, seed, height, width,
                    fit, shuffle)
