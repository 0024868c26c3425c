"""``evaluation.json``: the model dir's record of evaluation results, a JSON list of
``{"step": <int>, "<metric>": <number or null>, ...}``, appended atomically and checked on read.
An evaluator that scores on several held-out splits names its metrics with ``split_key``, so that
results tools read every evaluator's splits alike."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

from simgan.io.files import atomic_write_text, read_text

NAME = "evaluation.json"  # in the model dir
# The held-out splits a labelled evaluation scores on: 'test' (figures are reported on it) and
# 'validation' (settings are chosen on it); their keys are split_key's.
HELDOUT_SPLITS = ("test", "validation")


def split_key(split: str, name: str) -> str:
    """The key of metric ``name`` on held-out split ``split``: plain on 'test' (the split figures
    are reported on), ``<split>_<name>`` on any other (e.g. 'validation', where settings are
    chosen)."""
    return name if split == "test" else f"{split}_{name}"


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
