"""The paper's appearance-based gaze estimator and its training loop.

Shrivastava et al. 2017, Sec. 4.1: input 35x55 grayscale; conv3x3 32, conv3x3 32, conv3x3 64,
maxpool3x3/2, conv3x3 80, conv3x3 192, maxpool2x2/2, FC9600, FC1000, FC3; Euclidean loss on the
3D gaze vector; learning rate 0.001, batch 512. Convolutions are unpadded, so the flattened
feature map of a 35x55 input is 5x10x192 = 9600 wide. The optimizer is not given in the paper;
Adam is ours. The widths are arguments so tests and CPU runs can shrink them.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from simgan.core import evaluation, registry

FEATURES_LAYER = "features"


@registry.configurable("gaze_estimator", module="gaze", denylist=["outputs"])
def gaze_estimator(input_shape: Sequence[int] = (35, 55, 1),
                   conv_filters: Sequence[int] = (32, 32, 64, 80, 192),
                   dense_units: Sequence[int] = (9600, 1000),
                   seed: int = 0, outputs: int = 3) -> keras.Model:
    """The gaze CNN: image [B, 35, 55, 1] in [-1, 1] -> gaze 3-vector [B, 3] (not normalized).

    The last hidden layer is named ``features`` (used as a learned feature extractor). With
    ``outputs=2`` the same network regresses an image position (the learned pupil locator of
    label_preservation.py).
    """
    if len(conv_filters) != 5:
        raise ValueError(f"gaze_estimator.conv_filters: expected 5 widths; got {conv_filters}")
    seeds = iter(range(seed * 100, seed * 100 + 100))

    def init():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def conv(filters):
        return keras.layers.Conv2D(filters, 3, activation="relu", kernel_initializer=init())

    inputs = keras.Input(tuple(input_shape), name="image")
    x = conv(conv_filters[0])(inputs)
    x = conv(conv_filters[1])(x)
    x = conv(conv_filters[2])(x)
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = conv(conv_filters[3])(x)
    x = conv(conv_filters[4])(x)
    x = keras.layers.MaxPooling2D(2, strides=2)(x)
    x = keras.layers.Flatten()(x)
    for i, units in enumerate(dense_units):
        last = i == len(dense_units) - 1
        x = keras.layers.Dense(units, activation="relu", kernel_initializer=init(),
                               name=FEATURES_LAYER if last else None)(x)
    predictions = keras.layers.Dense(outputs, kernel_initializer=init(), name="gaze")(x)
    return keras.Model(inputs, predictions, name="gaze_estimator")


def euclidean_loss(predicted: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Caffe's EuclideanLoss: half the squared L2 distance, averaged over the batch."""
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(predicted - target), axis=-1))


@registry.configurable("train_gaze_estimator", module="gaze",
                  denylist=["model", "images", "gazes", "seed"])
def train_gaze_estimator(model: keras.Model, images: np.ndarray, gazes: np.ndarray, *, seed: int,
                         steps: int = 20000, batch_size: int = 512,
                         learning_rate: float = 0.001) -> float:
    """Trains ``model`` on (images [N, H, W, C], gazes [N, 3]) with Adam; returns the last loss.

    One ``tf.function`` step per batch on a seeded, shuffled tf.data pipeline.
    """
    if len(images) != len(gazes) or len(images) == 0:
        raise ValueError(f"train_gaze_estimator: got {len(images)} images and {len(gazes)} gaze "
                         "labels; expected the same, non-zero number")
    dataset = (tf.data.Dataset.from_tensor_slices((images.astype(np.float32),
                                                   gazes.astype(np.float32)))
               .shuffle(len(images), seed=seed).repeat()
               .batch(batch_size, drop_remainder=True).take(steps).prefetch(tf.data.AUTOTUNE))
    return evaluation.fit(model, dataset, euclidean_loss, learning_rate)


def predict_gaze(model: keras.Model, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Unit gaze vectors [N, 3] predicted for ``images``."""
    predicted = evaluation.predict(model, images, batch_size).astype(np.float64)
    return predicted / np.maximum(np.linalg.norm(predicted, axis=1, keepdims=True), 1e-12)
