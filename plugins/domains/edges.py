"""Procedural images of oriented edges, the synthetic side of the photo pair: a few straight,
soft-edged steps of random colour, most of them near horizontal (as horizons, roofs, shelves,
lit petal edges are in photos taken upright), on a flat background with faint blotches.
Nothing of a photo's texture, detail or colour statistics: that is the gap to bridge.

Pure TensorFlow with stateless draws: image ``i`` of seed ``s`` is the same in every run.
"""

from __future__ import annotations

import math

import tensorflow as tf

MAX_EDGES = 5
HORIZONTAL_FRACTION = 0.75  # edges near horizontal; the rest near vertical
ANGLE_SPREAD_DEG = 20.0  # standard deviation of an edge's angle about its axis


def _stream(seed: tf.Tensor, stream: int) -> tf.Tensor:
    return tf.random.experimental.stateless_fold_in(seed, stream)


def render_edges(seed: tf.Tensor, height: int, width: int) -> tf.Tensor:
    """An upright RGB image ``[height, width, 3]`` in [0, 1] from a stateless seed ``[2]``."""
    y = tf.linspace(-0.5, 0.5, height)[:, None, None]
    x = tf.linspace(-0.5, 0.5, width)[None, :, None]
    image = tf.random.stateless_uniform([3], _stream(seed, 0), 0.2, 0.8)
    count = tf.random.stateless_uniform([], _stream(seed, 1), 2, MAX_EDGES + 1, dtype=tf.int32)
    for i in range(MAX_EDGES):
        draws = tf.random.stateless_uniform([4], _stream(seed, 10 + i))
        vertical = tf.cast(draws[0] > HORIZONTAL_FRACTION, tf.float32)
        angle = (vertical * 0.5 * math.pi + math.radians(ANGLE_SPREAD_DEG)
                 * tf.random.stateless_normal([], _stream(seed, 20 + i)))
        # Signed distance to the edge line through (0, offset) at `angle` from horizontal.
        distance = (y - (draws[1] - 0.5) * 0.8) * tf.cos(angle) - x * tf.sin(angle)
        step = tf.sigmoid(distance / (0.01 + 0.05 * draws[2]))
        contrast = tf.random.stateless_uniform([3], _stream(seed, 30 + i), -0.4, 0.4)
        image += tf.cast(i < count, tf.float32) * contrast * step
    blotches = tf.image.resize(
        tf.random.stateless_normal([max(height // 4, 2), max(width // 4, 2), 1],
                                   _stream(seed, 2)), [height, width])
    return tf.clip_by_value(image + 0.03 * blotches, 0.0, 1.0)
