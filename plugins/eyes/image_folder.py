"""Images from a folder of JPEG/PNG/BMP/GIF files (any sizes), with labels from a file beside
them (plugins/eyes/label_file.py), a held-out part for evaluation, and file names for refining."""

from __future__ import annotations

import hashlib
import os
from typing import Mapping, Sequence

import numpy as np
import tensorflow as tf
from PIL import Image

from simgan.core.registries import DATASETS
from simgan.io import read_errors
from simgan.plugins.eyes import label_file, pipeline, records

_NAME = "image_folder"
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
SPLITS = ("all", "train", "heldout")
FILE_KEY = "file"


def relative_name(file: str, folder: str) -> str:
    """``file``'s path relative to ``folder``, with '/' separators (the key of its labels and
    of its refined copy)."""
    return os.path.relpath(file, folder).replace(os.sep, "/")


def channels_of(file: str) -> int:
    """The channel count of an image file as stored (1 grey, 2 grey + alpha, 3 colour,
    4 colour + alpha; a palette image decodes to colour)."""
    with Image.open(file) as image:
        if image.mode in ("P", "PA"):
            return 4 if image.mode == "PA" or "transparency" in image.info else 3
        return len(image.getbands())


def heldout_names(names: list[str], fraction: float) -> set[str]:
    """The ``round(fraction * len(names))`` names held out: those first in the order of the
    SHA-256 of the name, so the split depends on neither the seed nor the listing order, and
    adding files moves no other file between the parts."""
    count = round(fraction * len(names))
    if not 0 < count < len(names):
        raise ValueError(f"{_NAME}.holdout: {fraction} of {len(names)} images holds out {count};"
                         " expected at least one image in each part")
    ranked = sorted(names, key=lambda n: hashlib.sha256(n.encode("utf-8")).hexdigest())
    return set(ranked[:count])


def _check_split(split: str, holdout: float) -> None:
    if split not in SPLITS:
        raise ValueError(f"{_NAME}.split: expected one of {SPLITS}, got {split!r}")
    if split == "all" and holdout:
        raise ValueError(f"{_NAME}.holdout = {holdout} has no effect with {_NAME}.split = 'all'"
                         "; set split = 'train' (training) or 'heldout' (evaluation)")
    if split != "all" and not 0 < holdout < 1:
        raise ValueError(f"{_NAME}.split = {split!r}: expected {_NAME}.holdout in (0, 1) (the "
                         f"fraction held out), got {holdout}")


@DATASETS.register(_NAME)
def image_folder(*, seed: int, path: str, height: int = 35, width: int = 55, channels: int = 1,
                 fit: str = "resize", recursive: bool = True, shuffle: bool = True,
                 labels: str | None = None,
                 label_columns: Mapping[str, Sequence[str]] | None = None,
                 label_file_column: str = "file", holdout: float = 0.0, split: str = "all",
                 file_names: bool = False, strict_channels: bool = False,
                 verify: str = "header", skip_bad_records: bool = False) -> tf.data.Dataset:
    """Images under ``path``, decoded in parallel to ``channels`` (1: grayscale) and fitted.

    When the dataset is built every file is checked by Pillow (``verify='header'``: format from
    the content, and a reduced-scale decode that reads every byte), and also decoded once by
    TensorFlow with ``verify='decode'``. ``fit='resize'`` scales each image to
    ``height x width``; ``'crop'`` takes the centre window (images must be at least that large,
    which is checked with the files).
    ``shuffle`` permutes the file order with ``seed``; without it the order is the sorted paths.
    ``labels``: a .csv/.json file (relative to ``path``, or absolute) with one record per image,
    its entries named by ``label_columns`` (plugins/eyes/label_file.py). ``holdout`` (a
    fraction) with ``split='train'`` or ``'heldout'`` keeps one of two fixed, disjoint parts.
    ``file_names`` adds each image's relative path as entry 'file'. ``strict_channels`` fails
    on an image stored with another channel count than ``channels`` instead of converting it.
    """
    pipeline.check_fit(fit, _NAME)
    pipeline.check_verify(verify, _NAME)
    _check_split(split, holdout)
    if channels not in (1, 3):
        raise ValueError(f"{_NAME}.channels: expected 1 or 3, got {channels!r}")
    listed = records.list_files(path, EXTENSIONS, _NAME, recursive)
    names = {file: relative_name(file, path) for file in listed}
    table, labels_path = None, None
    if labels is not None:
        labels_path = os.path.join(path, labels)
        table = label_file.read(labels_path, label_file_column, _NAME)
        unknown = sorted(set(table) - set(names.values()))
        if unknown:
            records.fail(labels_path, f"{label_file_column} {unknown[0]!r}",
                         f"an image under {path}", "no such image")
    if split != "all":
        heldout = heldout_names(sorted(names.values()), holdout)
        listed = [f for f in listed if (names[f] in heldout) == (split == "heldout")]
    bad = records.BadRecords(_NAME, skip_bad_records)
    files = []
    for file in listed:
        problem = records.image_file_problem(file)
        if problem:
            bad.bad(file, "image", "a complete JPEG, PNG, BMP or GIF file", problem)
            continue
        if fit == "crop":
            size = records.image_size(file)
            if size[0] < height or size[1] < width:
                bad.bad(file, "image", f"an image of at least {height}x{width} to centre-crop "
                        f"(or set {_NAME}.fit = 'resize')", f"{size[0]}x{size[1]}")
                continue
        if strict_channels and (stored := channels_of(file)) != channels:
            bad.bad(file, "image", f"{channels} channel(s) ({_NAME}.channels)",
                    f"{stored} channels")
        elif table is not None and names[file] not in table:
            bad.bad(file, "labels", f"a record in {labels_path}", "none")
        else:
            files.append(file)
    if verify == "decode":
        files = [files[i] for i in pipeline.decodable(files, bad)]
    bad.report(len(files))
    read_errors.on_read_error(path, lambda: pipeline.undecodable(files, _NAME))
    if shuffle:
        files = [files[i] for i in np.random.default_rng(seed).permutation(len(files))]
    extras = {}
    if table is not None:
        extras = label_file.arrays(table, [names[f] for f in files], label_columns,
                                   labels_path, _NAME)
    if file_names:
        extras[FILE_KEY] = np.array([names[f] for f in files])

    def load(file, entries):
        image = tf.io.decode_image(tf.io.read_file(file), channels=channels,
                                   expand_animations=False)
        return {"image": pipeline.fit_image(image, height, width, fit), **entries}

    dataset = tf.data.Dataset.from_tensor_slices((records.tf_paths(files), extras)).map(
        load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if skip_bad_records:  # files that looked complete but fail to decode
        dataset = dataset.ignore_errors(log_warning=True)
    return dataset
