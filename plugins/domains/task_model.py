"""The task model of the label evaluators (``downstream``, ``label_recovery``): a small CNN
classifier or regressor, its training loop, and how a task is scored.

Deliberately small and fixed (two conv + pool stages, one hidden dense layer): the evaluators
compare the data it is trained on (raw vs refined synthetic), not architectures.
"""

from __future__ import annotations

from typing import Mapping, Sequence

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


TASKS = ("auto", "classification", "regression")


def check_settings(owner: str, *, label_key: str | None, task: str, train_examples: int,
                   test_examples: int, num_seeds: int, example_keys: str) -> None:
    """The task settings an evaluator of ``owner`` takes, each refused in one line naming the
    binding (``example_keys``: label entries to suggest, e.g. "'gaze' or 'glyph'")."""
    if not label_key:
        raise ValueError(f"{owner}.label_key: not set; expected the name of the label entry of "
                         f"the examples, e.g. {example_keys}")
    if task not in TASKS:
        raise ValueError(f"{owner}.task: expected one of {TASKS}; got {task!r}")
    if min(train_examples, test_examples, num_seeds) < 1:
        raise ValueError(f"{owner}.train_examples/test_examples/num_seeds: expected >= 1; "
                         f"got {train_examples}, {test_examples}, {num_seeds}")


class Task:
    """Classification (accuracy) or regression (mse) of label entry ``key``: ``kind`` is one of
    ``TASKS``, as `check_settings` checked it ('auto': by the type of ``labels``, the training
    labels); ``labels`` and ``others`` (the labels scored) are checked against it. Errors name
    ``owner``'s ``task`` setting."""

    def __init__(self, kind: str, key: str, labels: np.ndarray, *others: np.ndarray,
                 owner: str):
        self.classification = (np.issubdtype(labels.dtype, np.integer) if kind == "auto"
                               else kind == "classification")
        if kind == "classification":
            for array in (labels, *others):
                if array.ndim != 1 or np.any(array < 0) or np.any(array != np.round(array)):
                    raise ValueError(f"{owner}.task = 'classification': expected one class "
                                     f"number (0, 1, ...) per example in {key!r}; got "
                                     f"values such as {array.reshape(-1)[:3].tolist()} of "
                                     f"shape {array.shape[1:]}")
        if self.classification:
            self.metric = "accuracy"
            self.outputs = int(max(a.max() for a in (labels, *others))) + 1
        else:
            self.metric = "mse"
            self.outputs = int(np.prod(labels.shape[1:], dtype=int))

    def score(self, model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
        predicted = evaluation.predict(model, images).astype(np.float64)
        if self.classification:
            return float(np.mean(np.argmax(predicted, axis=1) == labels))
        return float(np.mean(np.square(predicted - labels.reshape(len(labels), -1))))


def trained_models(task: Task, images: np.ndarray, labels: np.ndarray, *, seed: int,
                   num_seeds: int) -> list[keras.Model]:
    """``num_seeds`` task models trained on (images, labels), seeded ``seed``, ``seed + 1``..."""
    labels = labels.astype(np.int32 if task.classification else np.float32)
    models = []
    for s in range(num_seeds):
        model = task_model(images.shape[1:], task.outputs, seed=seed + s)
        train_task_model(model, images, labels, seed=seed + s)
        models.append(model)
    return models


def scores(task: Task, models: Sequence[keras.Model],
           tests: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, list[float]]:
    """Each model's score on every (images, labels) of ``tests``, by name."""
    return {name: [task.score(model, images, labels) for model in models]
            for name, (images, labels) in tests.items()}
