"""Unlabelled real images from a folder of JPEG/PNG/BMP/GIF files (any sizes)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from simgan.core import read_errors
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import pipeline, records

_NAME = "image_folder"
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


@DATASETS.register(_NAME)
def image_folder(*, seed: int, path: str, height: int = 35, width: int = 55, channels: int = 1,
                 fit: str = "resize", recursive: bool = True, shuffle: bool = True,
                 verify: str = "header", skip_bad_records: bool = False) -> tf.data.Dataset:
    """Images under ``path``, decoded in parallel to ``channels`` (1: grayscale) and fitted.

    When the dataset is built every file is checked by Pillow (``verify='header'``: format from
    the content, and a reduced-scale decode that reads every byte), and also decoded once by
    TensorFlow with ``verify='decode'``. ``fit='resize'`` scales
    each image to ``height x width``; ``'crop'`` takes the centre window (images must be at
    least that large, which is checked with the files). ``shuffle`` permutes the file order
    with ``seed``.
    """
    pipeline.check_fit(fit, _NAME)
    pipeline.check_verify(verify, _NAME)
    if channels not in (1, 3):
        raise ValueError(f"{_NAME}.channels: expected 1 or 3, got {channels!r}")
    bad = records.BadRecords(_NAME, skip_bad_records)
    files = []
    for file in records.list_files(path, EXTENSIONS, _NAME, recursive):
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
        files.append(file)
    if verify == "decode":
        files = [files[i] for i in pipeline.decodable(files, bad)]
    bad.report(len(files))
    read_errors.on_read_error(path, lambda: pipeline.undecodable(files, _NAME))
    if shuffle:
        files = [files[i] for i in np.random.default_rng(seed).permutation(len(files))]

    def load(file):
        image = tf.io.decode_image(tf.io.read_file(file), channels=channels,
                                   expand_animations=False)
        return {"image": pipeline.fit_image(image, height, width, fit)}

    dataset = tf.data.Dataset.from_tensor_slices(records.tf_paths(files)).map(
        load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if skip_bad_records:  # files that looked complete but fail to decode
        dataset = dataset.ignore_errors(log_warning=True)
    return dataset
