"""The evaluator contract and the JSON record of evaluation results.

An evaluator is a registered factory ``factory(*, seed: int, output_dir: str, **hyper_parameters)``
returning an object with ``evaluate(refiner: keras.Model, step: int) -> dict[str, float]``
(``output_dir`` is where it may write plots). The trainer runs
each evaluator every N steps and at the end, logs the numbers to TensorBoard and appends them to
``evaluation.json`` in the model dir.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Callable, Mapping

import keras
import numpy as np
import tensorflow as tf

from simgan.core.io.files import atomic_write_text, read_text


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


def append_results(path: str, step: int, results: Mapping[str, Any]) -> None:
    """Appends ``{"step": step, **results}`` to the JSON list at ``path``, atomically. A record
    already there for ``step`` is merged into (its other metrics, such as a health symptom found
    at the step that is then evaluated, are kept; the same metric is replaced) and moves last."""
    records = load_results(path)
    earlier = {k: v for r in records if r.get("step") == step for k, v in r.items()}
    records = [r for r in records if r.get("step") != step]
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in results.items()}
    records.append({**earlier, "step": int(step), **clean})
    atomic_write_text(path, json.dumps(records, indent=2, sort_keys=True) + "\n")


def load_results(path: str) -> list[dict[str, Any]]:
    """The list of evaluation records at ``path`` ([] when it does not exist), each checked to
    be ``{"step": <int >= 0>, "<metric>": <number or null>, ...}``; anything else is a one-line
    ValueError naming the file and the record."""
    text = read_text(path)
    if text is None:
        return []
    remedy = "move it away (simgan-train starts a new one) or fix it"
    try:
        records = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e}); expected a list of records; "
                         f"{remedy}") from e
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON list of evaluation records, got "
                         f"{type(records).__name__}; {remedy}")
    for i, record in enumerate(records):
        problem = _record_problem(record)
        if problem:
            raise ValueError(f"{path}: record {i}: expected an object with an integer \"step\" "
                             f"and numeric metrics, got {problem}; {remedy}")
    return records


def _record_problem(record: Any) -> str | None:
    """What is wrong with one evaluation record, or None."""
    if not isinstance(record, dict):
        return f"{type(record).__name__} {json.dumps(record)[:40]}"
    step = record.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        return f"\"step\": {json.dumps(step)[:40]}" if "step" in record else "no \"step\""
    for key, value in record.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return f"{json.dumps(key)}: {json.dumps(value)[:40]}"
    return None
