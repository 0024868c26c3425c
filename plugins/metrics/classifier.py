"""A small CNN telling two image domains apart: the automated visual Turing test's judge and,
trained on synthetic vs real, the 'classifier' feature space of the distribution metrics
(plugins/metrics/features.py), for when no Inception weights file is at hand.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from simgan.core import evaluation, registry

FEATURES_LAYER = "features"


@registry.configurable("domain_classifier", module="metrics")
def domain_classifier(input_shape: Sequence[int], filters: Sequence[int] = (16, 32, 64),
                      feature_units: int = 64, seed: int = 0) -> keras.Model:
    """conv3x3 + maxpool2 per width, global average pool, dense ``features``, one logit [B]."""
    seeds = iter(range(seed * 100, seed * 100 + 100))
    inputs = keras.Input(tuple(input_shape))
    x = inputs
    for width in filters:
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
        x = keras.layers.MaxPooling2D(2, padding="same")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(feature_units, activation="relu", name=FEATURES_LAYER,
                           kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
    logits = keras.layers.Dense(
        1, kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
    return keras.Model(inputs, keras.layers.Reshape(())(logits), name="domain_classifier")


def _sigmoid_cross_entropy(logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


@registry.configurable("train_domain_classifier", module="metrics",
                  denylist=["model", "negatives", "positives", "seed"])
def train_domain_classifier(model: keras.Model, negatives: np.ndarray, positives: np.ndarray, *,
                            seed: int, steps: int = 1000, batch_size: int = 64,
                            learning_rate: float = 0.001) -> float:
    """Trains ``model`` to output logit > 0 for ``positives``, < 0 for ``negatives`` (Adam, one
    ``tf.function`` step per balanced batch); returns the last batch's loss."""
    def pipeline(images, label, offset):
        return (tf.data.Dataset.from_tensor_slices(images.astype(np.float32))
                .shuffle(len(images), seed=seed + offset).repeat()
                .map(lambda x: (x, tf.constant(label, tf.float32))))

    half = max(1, batch_size // 2)
    dataset = (tf.data.Dataset.zip(pipeline(negatives, 0.0, 0).batch(half),
                                   pipeline(positives, 1.0, 1).batch(half))
               .map(lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0)))
               .take(steps).prefetch(tf.data.AUTOTUNE))
    return evaluation.fit(model, dataset, _sigmoid_cross_entropy, learning_rate)


def predict_logits(model: keras.Model, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    return evaluation.predict(model, images, batch_size).astype(np.float64)


def feature_extractor(model: keras.Model) -> keras.Model:
    """The sub-model mapping images to the ``features`` layer's activations."""
    return keras.Model(model.input, model.get_layer(FEATURES_LAYER).output)
