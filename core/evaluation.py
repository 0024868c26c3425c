"""The evaluator contract.

An evaluator is a registered factory ``factory(*, seed: int, output_dir: str, **hyper_parameters)``
returning an object with ``evaluate(refiner: keras.Model, step: int) -> dict[str, float]``
(``output_dir`` is where it may write plots). The engine runs each evaluator every N steps and
at the end, logs the numbers to TensorBoard and appends them to ``evaluation.json``
(io/evaluation_file.py). Also here: the run's domains and the helpers evaluators share.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import keras
import numpy as np
import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class Domains:
    """The run's datasets, passed to every evaluator: what it compares with unless told
    otherwise (the gin scopes are those the engine builds them under)."""

    synthetic: str
    real: str
    synthetic_scope: str = "synthetic"
    real_scope: str = "real"


def dataset_for(domains: Domains | None, role: str, dataset: str | None, scope: str | None,
                bindings: tuple[str, str]) -> tuple[str, str]:
    """``(dataset, gin scope)`` an evaluator draws its ``role`` ('synthetic' or 'real') images
    from: ``dataset`` and ``scope`` when given, else the run's (``domains``); fails naming the
    evaluator's binding (``bindings``: its dataset's and its scope's, e.g.
    ``('c2st.real_dataset', 'c2st.real_scope')``) when neither is there."""
    pair = []
    for value, run_field, binding, what in (
            (dataset, role, bindings[0], f"the registered dataset of the {role} images"),
            (scope, f"{role}_scope", bindings[1], f"the gin scope to build the {role} dataset "
                                                  "under")):
        if value is None and domains is not None:
            value = getattr(domains, run_field)
        if value is None:
            raise ValueError(f"{binding}: not bound, and no run's domains were given (outside a "
                             f"training run); expected {what}")
        pair.append(value)
    return pair[0], pair[1]


def predict(model: keras.Model, images: np.ndarray, batch_size: int = 256,
            training: bool | None = False) -> np.ndarray:
    """``model`` applied to ``images`` in batches, eagerly: evaluators build many models, and
    a compiled function per model (as ``model.predict`` makes) has TensorFlow warn about
    retracing. ``training=None`` calls the model without the argument."""
    kwargs = {} if training is None else {"training": training}
    return np.concatenate([np.asarray(model(images[i:i + batch_size], **kwargs))
                           for i in range(0, len(images), batch_size)])


def refine(refiner: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """``refiner`` applied to ``images`` [N, H, W, C] in batches, as the trainer applies it for
    the discriminator: called without ``training`` (not ``predict``, which passes
    ``training=False``), so a refiner with noise channels draws its noise."""
    return predict(refiner, images, batch_size, training=None).astype(np.float32)


def fit(model: keras.Model, dataset: tf.data.Dataset,
        loss_fn: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], learning_rate: float) -> float:
    """Trains an evaluator's auxiliary network (an estimator, a classifier) with Adam on a
    finite dataset of ``(x, y)`` batches, one tf.function step per batch; returns the last loss."""
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)  # slots made before the step: it traces once
    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(model(x, training=True), y)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                      model.trainable_variables))
        return loss

    loss = tf.constant(float("nan"))
    for x, y in dataset:
        loss = step(x, y)
    return float(loss)
