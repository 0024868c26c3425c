"""A tiny registered dataset for framework tests: 8x12 gray images of a bright square on a
dark background; the 'real' domain adds noise and a brightness shift. Importing this module
registers it as `toy_squares`."""

from __future__ import annotations

import tensorflow as tf

from simgan.core.registries import DATASETS


@DATASETS.register("toy_squares")
def toy_squares(*, seed: int, domain: str = "synthetic", height: int = 8, width: int = 12,
                num_examples: int = 64) -> tf.data.Dataset:
    """Squares at random positions; labels are the square's centre."""

    def render(index):
        s = tf.stack([tf.cast(seed, tf.int64), index])
        pos = tf.random.stateless_uniform([2], s, 2.0, [height - 2.0, width - 2.0])
        yy, xx = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                             indexing="ij")
        square = tf.cast((tf.abs(yy - pos[0]) < 2) & (tf.abs(xx - pos[1]) < 2), tf.float32)
        image = square * 1.6 - 0.8
        if domain == "real":
            image = image + 0.3 + 0.2 * tf.random.stateless_normal([height, width], s + 7)
        return {"image": tf.clip_by_value(image, -1, 1)[..., None], "center": pos}

    return tf.data.Dataset.range(num_examples).map(render)
