"""Square crops of the photos that ship with scikit-learn (``load_sample_images``: china.jpg,
a pagoda over a lake; flower.jpg, a dahlia), the real side of the photo pairs.

Each photo is cut into a 3 x 4 grid of blocks; in every row of blocks two are 'train', one
'validation' and one 'test' (shifted from row to row), and every crop lies inside one block,
so the three splits share no pixel while each sees the top, middle and bottom of both photos.
Crop ``i`` of a split is drawn from a fixed seed (photo, block, side between ``min_crop`` px
and the block's short side, position) and area-resized to the output size.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import tensorflow as tf

from simgan.plugins import extras

sklearn_datasets = extras.deferred("sklearn.datasets", "suite",
                                   "The photo datasets (scikit-learn's sample photos)")

GRID_ROWS, GRID_COLS = 3, 4
# Block (row, col) belongs to split _BLOCK_SPLITS[(col - row) % GRID_COLS].
_BLOCK_SPLITS = ("train", "validation", "train", "test")
_SPLIT_SEEDS = {"train": 700_001, "validation": 700_002, "test": 700_003}


def load_photos(name: str, photos: Sequence[str]) -> np.ndarray:
    """The named sample photos, uint8 ``[P, 427, 640, 3]``; an unknown name fails listing
    the available ones (``name`` is the dataset, for the message)."""
    sample = sklearn_datasets.load_sample_images()
    available = {os.path.basename(f): image for f, image in zip(sample.filenames, sample.images)}
    unknown = [p for p in photos if p not in available]
    if not photos or unknown or len(set(photos)) != len(photos):
        raise ValueError(f"{name}.photos: expected distinct names from {sorted(available)}; "
                         f"got {tuple(photos)!r}")
    return np.stack([available[p] for p in photos])


def split_blocks(split: str, num_photos: int, photo_height: int,
                 photo_width: int) -> np.ndarray:
    """``[N, 5]`` int32 rows (photo, top, left, height, width) of the blocks of ``split``."""
    block_h, block_w = photo_height // GRID_ROWS, photo_width // GRID_COLS
    return np.array([(p, r * block_h, c * block_w, block_h, block_w)
                     for p in range(num_photos) for r in range(GRID_ROWS)
                     for c in range(GRID_COLS)
                     if _BLOCK_SPLITS[(c - r) % GRID_COLS] == split], np.int32)


def photo_crops(name: str, split: str, count: int, height: int, width: int,
                photos: Sequence[str], min_crop: int) -> tf.data.Dataset:
    """``count`` crops of ``split``, float32 ``[height, width, 3]`` in [0, 1], in a fixed
    order (crop ``i`` is the same in every run)."""
    images = load_photos(name, photos)
    blocks = split_blocks(split, *images.shape[:3])
    short_side = int(blocks[:, 3:].min())
    if not 1 <= min_crop <= short_side:
        raise ValueError(f"{name}.min_crop: expected between 1 and {short_side} px (a block's "
                         f"short side); got {min_crop!r}")
    images, blocks = tf.constant(images), tf.constant(blocks)
    base = tf.constant([_SPLIT_SEEDS[split], 0], tf.int64)

    def crop(index: tf.Tensor) -> tf.Tensor:
        seed = tf.random.experimental.stateless_fold_in(base, index)
        draws = tf.random.stateless_uniform([4], seed)
        block = blocks[tf.cast(draws[0] * tf.cast(tf.shape(blocks)[0], tf.float32), tf.int32)]
        photo, top, left, block_h, block_w = tf.unstack(block)
        side = min_crop + tf.cast(
            draws[1] * tf.cast(tf.minimum(block_h, block_w) - min_crop + 1, tf.float32), tf.int32)
        top += tf.cast(draws[2] * tf.cast(block_h - side + 1, tf.float32), tf.int32)
        left += tf.cast(draws[3] * tf.cast(block_w - side + 1, tf.float32), tf.int32)
        patch = images[photo, top:top + side, left:left + side]
        return tf.image.resize(tf.cast(patch, tf.float32) / 255.0, [height, width],
                               method="area")

    return tf.data.Dataset.range(count).map(crop, num_parallel_calls=tf.data.AUTOTUNE,
                                            deterministic=True)
