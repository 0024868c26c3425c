"""Support for the evaluation tests (gaze, metrics, tools).

`toy_gaze_eyes`: a tiny labelled eye-like dataset, registered on import: a dark pupil disk whose
position follows the gaze (yaw moves it right, pitch up) on a light background; the 'real_like'
domain is brighter and noisy. Also gin bindings for a tiny gaze estimator and hand-made refiners.
"""

from __future__ import annotations


import gin
import keras
import tensorflow as tf

from simgan.core.evaluation import Domains
from simgan.core.registries import DATASETS


@DATASETS.register("toy_gaze_eyes")
def toy_gaze_eyes(*, seed: int, domain: str = "synthetic", height: int = 20, width: int = 24,
                  num_examples: int = 512) -> tf.data.Dataset:
    """Elements {"image": [H, W, 1], "gaze": unit [3], "pupil_center": (x, y) pixels}."""

    def render(index):
        s = tf.stack([tf.cast(seed, tf.int64), index])
        yaw, pitch = tf.unstack(tf.random.stateless_uniform([2], s, -0.5, 0.5))
        gaze = tf.stack([tf.cos(pitch) * tf.sin(yaw), -tf.sin(pitch), -tf.cos(pitch) * tf.cos(yaw)])
        centre = tf.stack([width / 2 + yaw * width / 2, height / 2 - pitch * height / 2])
        yy, xx = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                             indexing="ij")
        pupil = tf.cast((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 < 9.0, tf.float32)
        image = 0.4 - 1.3 * pupil
        if domain == "real_like":
            image = image + 0.3 + 0.15 * tf.random.stateless_normal([height, width], s + 7)
        return {"image": tf.clip_by_value(image, -1, 1)[..., None], "gaze": gaze,
                "pupil_center": centre}

    return tf.data.Dataset.range(num_examples).map(render)


SHAPE = (20, 24, 1)
# The run's domains of the evaluator tests: toy eyes, synthetic and (scope 'real') real-like.
DOMAINS = Domains(synthetic="toy_gaze_eyes", real="toy_gaze_eyes")
TINY_ESTIMATOR = """
real/toy_gaze_eyes.domain = 'real_like'
gaze_estimator.conv_filters = (4, 4, 8, 8, 8)
gaze_estimator.dense_units = (32, 16)
train_gaze_estimator.steps = 150
train_gaze_estimator.batch_size = 64
"""


def bind_tiny_estimator() -> None:
    gin.parse_config(TINY_ESTIMATOR)


TINY_DOMAIN_CLASSIFIER = """
real/toy_gaze_eyes.domain = 'real_like'
train_domain_classifier.steps = 150
domain_classifier.filters = (8, 16)
domain_classifier.feature_units = 16
"""


def identity_refiner() -> keras.Model:
    return keras.Sequential([keras.Input(SHAPE), keras.layers.Identity()])


def function_refiner(fn, shape=SHAPE) -> keras.Model:
    """A refiner of ``shape`` images computing ``fn`` (not serializable; for in-process
    tests)."""
    return keras.Sequential([keras.Input(shape), keras.layers.Lambda(fn)])


def ideal_refiner(seed: int = 1234) -> keras.Model:
    """The toy set's synthetic -> real_like shift: an ideal refiner for it. Its noise comes
    from a generator of its own, fresh for every image whatever the global seed state (a
    seeded stateful op may repeat one noise pattern across predict batches), made here so a
    test draws the same noise whichever tests ran before it in the worker."""
    noise = tf.random.Generator.from_seed(seed)
    return function_refiner(
        lambda images: tf.clip_by_value(images + 0.3 + 0.15 * noise.normal(tf.shape(images)),
                                        -1, 1))
