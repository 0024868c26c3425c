"""MPIIGaze "Normalized" (real, labelled): ``Data/Normalized/pXX/dayYY.mat``.

Each file holds a struct ``data`` with ``left`` and ``right`` structs of ``image`` [N, 36, 60]
uint8, ``gaze`` [N, 3] (unit vectors in the normalized camera frame, which is the project's
frame) and ``pose`` [N, 3] (head rotation vectors). As in the MPIIGaze protocol, right eyes are
flipped horizontally to look like left eyes, with the gaze x component and the pose mirrored.
Files are read with scipy.io.loadmat, or h5py for MATLAB v7.3 files.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

import numpy as np
import scipy.io
import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins import extras
from simgan.plugins.eyes import pipeline, records

h5py = extras.deferred("h5py", "hdf5", "The mpiigaze dataset (HDF5 / MATLAB v7.3 files)")

_NAME = "mpiigaze"
EYES = ("left", "right")
IMAGE_SHAPE = (36, 60)
_PARTICIPANT = re.compile(r"^p\d\d$")


def _participant(value) -> str:
    return value if isinstance(value, str) else f"p{int(value):02d}"


def _struct_field(node, name: str, file: str, where: str):
    """``node.name`` for loadmat's dict or structs (1x1 record arrays), or an h5py group."""
    if isinstance(node, (dict, h5py.Group)):
        if name in node:
            return node[name]
    elif isinstance(node, np.ndarray) and node.dtype.names and node.size == 1:
        if name in node.dtype.names:
            return node.flat[0][name]
    records.fail(file, f"{where}.{name}" if where else name, "a MATLAB struct field", "missing")


def _array(node, file: str, field: str) -> np.ndarray:
    """A numeric array field; a MATLAB cell array (objects, or references in v7.3) is refused."""
    if isinstance(node, h5py.Dataset):  # v7.3 stores MATLAB's column-major arrays transposed
        node = np.asarray(node).T
    if not isinstance(node, np.ndarray):
        records.fail(file, field, "a numeric array", type(node).__name__)
    if not np.issubdtype(node.dtype, np.number):
        kind = "a MATLAB cell array" if node.dtype == object else f"dtype {node.dtype}"
        records.fail(file, field, "a numeric matrix", f"{kind} of shape {node.shape}")
    return node


def _read_eye(root, file: str, eye: str, height: int, width: int, fit: str,
              bad: records.BadRecords) -> dict[str, np.ndarray]:
    """One eye's validated records of one file, right eyes mirrored; bad rows dropped."""
    where = f"data.{eye}"
    node = _struct_field(_struct_field(root, "data", file, ""), eye, file, "data")
    images = _array(_struct_field(node, "image", file, where), file, f"{where}.image")
    pipeline.check_uint8(file, f"{where}.image", images.dtype)
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        records.fail(file, f"{where}.image", "uint8 images [N, 36, 60]", f"shape {images.shape}")
    pipeline.check_image_shape(file, f"{where}.image", images.shape, height, width, fit, _NAME)
    n = len(images)
    labels = {}
    for field in ("gaze", "pose"):
        values = _array(_struct_field(node, field, file, where), file, f"{where}.{field}")
        if values.shape != (n, 3):
            records.fail(file, f"{where}.{field}", f"[{n}, 3] (one row per image)",
                         f"shape {values.shape}")
        labels[field] = values
    gaze, ok = records.finite_unit_vectors(labels["gaze"], file, f"{where}.gaze", 3, bad)
    pose = labels["pose"].astype(np.float32)
    for row in np.flatnonzero(~np.isfinite(pose).all(axis=1) & ok):
        bad.bad(file, f"{where}.pose[{row}]", "a finite rotation vector", str(pose[row]))
    ok &= np.isfinite(pose).all(axis=1)
    if eye == "right":
        images, gaze, pose = images[:, :, ::-1], gaze * [-1, 1, 1], pose * [1, -1, -1]
    return {"image": pipeline.as_channels_last(images[ok]),
            "gaze": gaze[ok].astype(np.float32), "head_pose": pose[ok].astype(np.float32)}


def read_file(file: str, eyes: Sequence[str], height: int, width: int, fit: str,
              bad: records.BadRecords) -> list[dict[str, np.ndarray]]:
    """The records of one ``dayYY.mat`` file, one dict of arrays per eye in ``eyes``."""
    try:
        if h5py.is_hdf5(file):  # MATLAB v7.3
            with h5py.File(file, "r") as root:
                return [_read_eye(root, file, eye, height, width, fit, bad) for eye in eyes]
        root = scipy.io.loadmat(file, struct_as_record=True, squeeze_me=False)
    except (records.BadRecordError, extras.MissingExtraError):
        raise
    except Exception as e:  # scipy/h5py raise many types for damaged files
        records.fail(file, "(file)", "a MATLAB .mat file (v5 or v7.3) as MPIIGaze distributes it",
                     f"{type(e).__name__}: {e}")
    return [_read_eye(root, file, eye, height, width, fit, bad) for eye in eyes]


def participant_files(path: str, participants: Sequence | None,
                      exclude_participants: Sequence) -> list[str]:
    """The ``dayYY.mat`` files of the selected participants under ``path``."""
    root = os.path.join(path, "Data", "Normalized")
    root = root if os.path.isdir(root) else path
    if not os.path.isdir(root):
        records.fail(path, f"{_NAME}.path", "the MPIIGaze folder or its Data/Normalized folder",
                     "no such directory")
    found = sorted(d for d in os.listdir(root) if _PARTICIPANT.match(d))
    wanted = found if participants is None else [_participant(p) for p in participants]
    missing = sorted(set(wanted) - set(found))
    if missing:
        records.fail(root, f"{_NAME}.participants", f"participant folders among {found}",
                     f"{missing}")
    excluded = {_participant(p) for p in exclude_participants}
    files = []
    for participant in wanted:
        if participant not in excluded:
            files += records.list_files(os.path.join(root, participant), (".mat",), _NAME)
    if not files:
        records.fail(root, f"{_NAME}.participants", "at least one participant left",
                     f"participants={wanted}, exclude_participants={sorted(excluded)}")
    return files


@DATASETS.register(_NAME)
def mpiigaze(*, seed: int, path: str, participants: Sequence | None = None,
             exclude_participants: Sequence = (), eyes: Sequence[str] = EYES,
             height: int = 35, width: int = 55, fit: str = "crop", shuffle: bool = True,
             skip_bad_records: bool = False) -> tf.data.Dataset:
    """MPIIGaze Normalized eye images with unit ``gaze`` and ``head_pose`` (rotation vector).

    ``participants`` (e.g. [0, 1] or ['p00']; None: all) and ``exclude_participants`` select
    people, e.g. ``exclude_participants = [3]`` for the leave-p03-out training split. The
    36x60 images are centre-cropped (``fit='crop'``) or resized to ``height x width``. All
    files are read and validated when the dataset is built and held in memory (2.2 kB per eye
    image); ``shuffle`` permutes the record order with ``seed``.
    """
    pipeline.check_fit(fit, _NAME)
    unknown = set(eyes) - set(EYES)
    if unknown or not eyes:
        raise ValueError(f"{_NAME}.eyes: expected a non-empty subset of {EYES}, got {eyes!r}")
    bad = records.BadRecords(_NAME, skip_bad_records)
    parts = []
    for file in participant_files(path, participants, exclude_participants):
        with bad.guard():
            parts += read_file(file, eyes, height, width, fit, bad)
    bad.report(sum(len(p["image"]) for p in parts))
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in ("image", "gaze", "head_pose")}
    return pipeline.finish(pipeline.in_memory(arrays, seed, shuffle), len(arrays["image"]),
                           height, width, fit)
