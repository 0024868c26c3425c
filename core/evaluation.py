"""The evaluator contract and the JSON record of evaluation results.

An evaluator is a registered factory ``factory(*, seed: int, output_dir: str, **hyper_parameters)``
returning an object with ``evaluate(refiner: keras.Model, step: int) -> dict[str, float]``
(``output_dir`` is where it may write plots). The trainer runs
each evaluator every N steps and at the end, logs the numbers to TensorBoard and appends them to
``evaluation.json`` in the model dir.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Mapping, Protocol

import keras

from simgan.core.files import atomic_write_text


class Evaluator(Protocol):
    def evaluate(self, refiner: keras.Model, step: int) -> dict[str, float]:
        ...


def append_results(path: str, step: int, results: Mapping[str, Any]) -> None:
    """Appends ``{"step": step, **results}`` to the JSON list at ``path``, atomically."""
    records = load_results(path)
    records = [r for r in records if r.get("step") != step]
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in results.items()}
    records.append({"step": int(step), **clean})
    atomic_write_text(path, json.dumps(records, indent=2, sort_keys=True) + "\n")


def load_results(path: str) -> list[dict[str, Any]]:
    """The list of evaluation records at ``path`` ([] when it does not exist)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        try:
            records = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not valid JSON ({e}); expected a list of records") from e
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON list of evaluation records")
    return records
