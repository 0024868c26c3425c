"""The downstream task's model: a small CNN classifier or regressor, and its training loop.

Deliberately small and fixed (two conv + pool stages, one hidden dense layer): the suite
compares the data it is trained on (raw vs refined synthetic), not architectures.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from simgan.core import evaluation, registry


@registry.configurable("task_model", module="domains", denylist=("input_shape", "outputs", "seed"))
def task_model(input_shape: Sequence[int], outputs: int, *, seed: int,
               filters: Sequence[int] = (16, 32), dense_units: int = 64) -> keras.Model:
    """conv3x3 + maxpool2 per width in ``filters``, flatten, dense ``dense_units``, linear
    ``outputs`` (class logits or regression targets); seeded initialization."""
    if not filters or min(filters) < 1 or dense_units < 1:
        raise ValueError(f"task_model.filters/dense_units: expected positive widths; got "
                         f"{tuple(filters)!r} and {dense_units!r}")
    seeds = iter(range(seed * 100, seed * 100 + 100))
    x = inputs = keras.Input(tuple(input_shape))
    for width in filters:
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
        x = keras.layers.MaxPooling2D(2, padding="same")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(dense_units, activation="relu",
                           kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
    outputs = keras.layers.Dense(
        outputs, kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
    return keras.Model(inputs, outputs, name="task_model")


def classification_loss(logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))


def regression_loss(predictions: tf.Tensor, targets: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.square(predictions - targets))


@registry.configurable("train_task_model", module="domains",
                       denylist=("model", "images", "labels", "seed"))
def train_task_model(model: keras.Model, images: np.ndarray, labels: np.ndarray, *, seed: int,
                     steps: int = 500, batch_size: int = 64,
                     learning_rate: float = 0.001) -> float:
    """Trains ``model`` on (images, labels) with Adam, cross-entropy for integer labels and
    mean squared error for float ones; returns the last batch's loss."""
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"train_task_model: got {len(images)} images and {len(labels)} "
                         "labels; expected the same, non-zero number")
    integer = np.issubdtype(labels.dtype, np.integer)
    dataset = (tf.data.Dataset.from_tensor_slices(
                   (images.astype(np.float32), labels.astype(np.int32 if integer else np.float32)))
               .shuffle(len(images), seed=seed).repeat()
               .batch(batch_size, drop_remainder=True).take(steps).prefetch(tf.data.AUTOTUNE))
    return evaluation.fit(model, dataset, classification_loss if integer else regression_loss,
                          learning_rate)
