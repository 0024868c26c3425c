"""tf.data building blocks shared by the readers: array sources and the crop/resize to contract.

Array readers hand over blocks of uint8 images ``[B, H, W, C]``; ``finish`` fits them to
``height x width`` (centre crop or antialiased resize) and maps them to float32 [-1, 1] with
parallel, order-preserving calls, one block at a time. Seeded shuffling, caching, repeat,
batching and prefetch stay in ``core.data.batched``.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import tensorflow as tf

from simgan.core import data
from simgan.plugins.eyes import records

FITS = ("crop", "resize")
VERIFY = ("header", "decode")
BLOCK = 512  # records per block: one h5py/memmap read and one crop/resize call


def check_fit(fit: str, source: str) -> None:
    if fit not in FITS:
        raise ValueError(f"{source}.fit: expected one of {FITS}, got {fit!r}")


def check_verify(verify: str, source: str) -> None:
    if verify not in VERIFY:
        raise ValueError(f"{source}.verify: expected one of {VERIFY}, got {verify!r}")


def decodable(files: list[str], bad: records.BadRecords) -> list[int]:
    """Indices of the ``files`` TensorFlow decodes; each failing file is reported to ``bad``.

    The ``verify='decode'`` check: all files are decoded once, in parallel. It catches images
    whose markers are intact but whose data are corrupt, which would otherwise fail later inside
    the pipeline with an error that cannot name the file.
    """
    def decodes(index, file):
        image = tf.io.decode_image(tf.io.read_file(file), channels=1, expand_animations=False)
        return index, tf.shape(image)[0]

    dataset = tf.data.Dataset.from_tensor_slices((np.arange(len(files)),
                                                   records.tf_paths(files))).map(
        decodes, num_parallel_calls=tf.data.AUTOTUNE).ignore_errors()
    decoded = {int(index) for index, _ in dataset.as_numpy_iterator()}
    for i in range(len(files)):
        if i not in decoded:
            bad.bad(files[i], "image", "an image TensorFlow can decode", "corrupt image data")
    return sorted(decoded)


def undecodable(files: list[str], source: str) -> str | None:
    """The diagnosis of a decode error raised while training (io/read_errors.py): the first
    of ``files`` TensorFlow cannot decode, with the remedies; None if all decode."""
    bad = records.BadRecords(source, skip=True)
    decodable(files, bad)
    if not bad.skipped:
        return None
    return (f"{bad.skipped[0]} (set {source}.verify = 'decode' to check every file when the "
            f"dataset is built, or {source}.skip_bad_records = True to skip such files)")


def check_image_shape(file: str, field: str, shape: tuple[int, ...], height: int, width: int,
                      fit: str, source: str) -> None:
    """Checks an image array's shape ``[N, H, W]`` or ``[N, H, W, C]`` can be fitted."""
    if len(shape) not in (3, 4) or (len(shape) == 4 and shape[3] not in (1, 3)):
        records.fail(file, field, "uint8 images [N, H, W] or [N, H, W, 1|3]", f"shape {shape}")
    if fit == "crop" and (shape[1] < height or shape[2] < width):
        records.fail(file, field, f"images of at least {height}x{width} to centre-crop (or set "
                     f"{source}.fit = 'resize')", f"{shape[1]}x{shape[2]}")


def check_uint8(file: str, field: str, dtype: np.dtype) -> None:
    if dtype != np.uint8:
        records.fail(file, field, "uint8 pixel values in [0, 255]", f"dtype {dtype}")


def fit_image(image: tf.Tensor, height: int, width: int, fit: str) -> tf.Tensor:
    """uint8 ``[H, W, C]`` -> float32 ``[height, width, C]`` in [-1, 1].

    ``crop`` takes the centre ``height x width`` window (no interpolation, pixel scale kept);
    ``resize`` scales the whole image with an antialiased bilinear filter.
    """
    if fit == "crop":
        image = tf.image.resize_with_crop_or_pad(image, height, width)
    else:
        image = tf.image.resize(image, [height, width], method="bilinear", antialias=True)
    return data.to_unit_range(image)


def finish(blocks: tf.data.Dataset, count: int, height: int, width: int,
           fit: str) -> tf.data.Dataset:
    """Fits the uint8 'image' of each block (a batch of records) in parallel, then unbatches.

    Working on whole blocks keeps the per-record cost of tf.data low; ``count`` (the number of
    records) becomes the dataset's known cardinality.
    """

    def fit_block(block):
        block = dict(block)
        block[data.IMAGE_KEY] = fit_image(block[data.IMAGE_KEY], height, width, fit)
        return block

    dataset = blocks.map(fit_block, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.unbatch().apply(tf.data.experimental.assert_cardinality(count))


def as_channels_last(images: np.ndarray) -> np.ndarray:
    """``[N, H, W]`` -> ``[N, H, W, 1]`` (a view); ``[N, H, W, C]`` unchanged."""
    return images[..., None] if images.ndim == 3 else images


def permuted(arrays: Mapping[str, np.ndarray], seed: int, shuffle: bool) -> dict[str, np.ndarray]:
    """Arrays sharing a first (record) axis, in an order permuted by ``seed`` if ``shuffle``."""
    if not shuffle:
        return dict(arrays)
    order = np.random.default_rng(seed).permutation(len(next(iter(arrays.values()))))
    return {k: v[order] for k, v in arrays.items()}


def in_memory(arrays: Mapping[str, np.ndarray], seed: int, shuffle: bool) -> tf.data.Dataset:
    """Blocks of ``BLOCK`` records from in-memory arrays (for ``finish``)."""
    return tf.data.Dataset.from_tensor_slices(permuted(arrays, seed, shuffle)).batch(BLOCK)


def lazy_blocks(read_block: Callable[[int, int], dict[str, np.ndarray]], total: int,
                signature: Mapping[str, tf.TensorSpec], seed: int,
                shuffle: bool) -> tf.data.Dataset:
    """Blocks read ``BLOCK`` rows at a time by ``read_block(start, stop)`` (for ``finish``).

    With ``shuffle`` the blocks are visited in an order permuted by ``seed`` and the rows of each
    block permuted too, so the same seed always gives the same order.
    """
    starts = np.arange(0, total, BLOCK)

    def blocks():
        rng = np.random.default_rng(seed)
        for start in (rng.permutation(starts) if shuffle else starts):
            block = read_block(int(start), int(min(start + BLOCK, total)))
            if shuffle:
                order = rng.permutation(len(next(iter(block.values()))))
                block = {k: v[order] for k, v in block.items()}
            yield block

    batched_signature = {k: tf.TensorSpec([None, *s.shape], s.dtype) for k, s in signature.items()}
    return tf.data.Dataset.from_generator(blocks, output_signature=batched_signature)
