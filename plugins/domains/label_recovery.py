"""``label_recovery``: do refined images still carry their synthetic labels? No real label is
needed, so it applies where ``downstream`` cannot (a user with unlabelled real images only).

S+U's refiner must keep the simulator's annotation true (Shrivastava et al. 2017, Sec. 2.2,
self-regularization); the paper checks it on gaze (``label_preservation``). This is the same
question for any labelled synthetic dataset, asked two ways with the small task models of
task_model.py, trained on ``train_examples`` synthetic examples and scored on
``test_examples`` held-out synthetic examples:

- ``refined/<metric>``: models trained on refined images, scored on refined held-out images
  against ``synthetic/<metric>`` (raw on raw): can the label still be read off a refined image
  at all? A refiner that erases what the label depends on (strokes of a letter, a pupil)
  lowers it; one that only changes appearance, consistently, does not.
- ``refined/carried_<metric>``: the raw-trained models scored on refined held-out images (as
  ``label_preservation``'s frozen estimator): does R(x) still read as x? It also falls with
  the appearance change itself, so it is a shift, not a verdict.

``<metric>`` is ``accuracy`` (integer labels, or ``task = 'classification'``) or ``mse``;
``_std`` over ``num_seeds`` models. Each call writes ``<output_dir>/step_XXXXXX.json`` with
the per-seed figures. No threshold is implied: docs/EVALUATION.md says what was measured.
"""

from __future__ import annotations

import json
from typing import Any

import gin
import keras
import numpy as np

from simgan.core import data, seeds
from simgan.core.evaluation import refine
from simgan.core.registries import DATASETS, EVALUATORS
from simgan.io import files
from simgan.plugins.domains import evaluator, splits, task_model

_NAME = "label_recovery"
PARTS = ("train", "validation")  # the suite's splits the two parts are drawn from


@EVALUATORS.register(_NAME)
class LabelRecoveryEvaluator:
    """Task models trained and scored on synthetic examples, raw and refined: whether the
    refined images still carry the labels (module docstring). ``label_key`` names the label
    entry of the synthetic dataset (the run's unless ``synthetic_dataset``/``synthetic_scope``
    are set). A suite dataset (``split`` and ``num_examples``) gives ``train_examples`` of its
    'train' split and ``test_examples`` of its 'validation' split; any other dataset its first
    ``train_examples + test_examples`` examples, split in that order."""

    def __init__(self, *, seed: int, output_dir: str, domains: Any = None,
                 label_key: str | None = None, synthetic_dataset: str | None = None,
                 synthetic_scope: str | None = None, task: str = "auto",
                 train_examples: int = 2000, test_examples: int = 1000, num_seeds: int = 3,
                 refine_batch_size: int = 256):
        task_model.check_settings(_NAME, label_key=label_key, task=task,
                                  train_examples=train_examples, test_examples=test_examples,
                                  num_seeds=num_seeds, example_keys="'gaze' or 'glyph'")
        self._dataset = evaluator.source(_NAME, "synthetic", synthetic_dataset, synthetic_scope,
                                         domains)
        self.datasets = {"synthetic": self._dataset}  # for configs/selection.py's check
        self._seed, self._output_dir, self._label_key = seed, output_dir, label_key
        self._kind, self._num_seeds = task, num_seeds
        self._sizes = {"train": train_examples, "heldout": test_examples}
        self._refine_batch_size = refine_batch_size
        self._parts: dict[str, dict[str, np.ndarray]] = {}
        self._raw: tuple[task_model.Task, list[keras.Model], dict[str, list[float]]] | None = None

    def _draw(self) -> dict[str, dict[str, np.ndarray]]:
        """The labelled 'train' and 'heldout' parts (drawn once)."""
        if self._parts:
            return self._parts
        name, scope = self._dataset
        seed = seeds.stream(self._seed, _NAME)
        if splits.has_splits(name):
            with gin.config_scope(scope):
                parts = [DATASETS.build(name, seed=seed, split=split, num_examples=count)
                         for split, count in zip(PARTS, self._sizes.values())]
            arrays = [self._first(dataset, count, f"split {split!r}")
                      for dataset, split, count in zip(parts, PARTS, self._sizes.values())]
        else:
            with gin.config_scope(scope):
                dataset = DATASETS.build(name, seed=seed)
            both = self._first(dataset, sum(self._sizes.values()), "")
            cut = self._sizes["train"]
            arrays = [{k: v[:cut] for k, v in both.items()}, {k: v[cut:] for k, v in both.items()}]
        self._parts = dict(zip(self._sizes, arrays))
        return self._parts

    def _first(self, dataset: Any, count: int, detail: str) -> dict[str, np.ndarray]:
        name, scope = self._dataset
        where = data.describe(name, scope, detail)
        evaluator.check_labelled(dataset, where, self._label_key, _NAME)
        return evaluator.first_examples(
            dataset, count, where, f" ({_NAME}.train_examples + {_NAME}.test_examples)")

    def _raw_row(self) -> tuple[task_model.Task, list[keras.Model], dict[str, list[float]]]:
        """The task, the raw-trained models and their held-out scores (trained once)."""
        if self._raw is None:
            train, heldout = self._draw().values()
            labels = train[self._label_key]
            task = task_model.Task(self._kind, self._label_key, labels,
                                   heldout[self._label_key], owner=_NAME)
            models = task_model.trained_models(
                task, train[data.IMAGE_KEY], labels,
                seed=seeds.stream(self._seed, "downstream_models"), num_seeds=self._num_seeds)
            scores = task_model.scores(
                task, models, {"heldout": (heldout[data.IMAGE_KEY], heldout[self._label_key])})
            self._raw = task, models, scores
        return self._raw

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        task, raw_models, raw_scores = self._raw_row()
        details = {"synthetic": {task.metric: raw_scores["heldout"]}}
        if refiner is not None:
            train, heldout = self._draw().values()
            refined_train = refine(refiner, train[data.IMAGE_KEY], self._refine_batch_size)
            refined_heldout = (refine(refiner, heldout[data.IMAGE_KEY], self._refine_batch_size),
                               heldout[self._label_key])
            models = task_model.trained_models(
                task, refined_train, train[self._label_key],
                seed=seeds.stream(self._seed, "downstream_models"), num_seeds=self._num_seeds)
            details["refined"] = {
                task.metric: task_model.scores(task, models, {"heldout": refined_heldout})["heldout"],
                f"carried_{task.metric}":
                    task_model.scores(task, raw_models, {"heldout": refined_heldout})["heldout"]}
        record = {"step": step, "train_examples": self._sizes["train"],
                  "test_examples": self._sizes["heldout"], "num_seeds": self._num_seeds,
                  "results": details}
        files.atomic_write_text(files.join(self._output_dir, f"step_{step:06d}.json"),
                                json.dumps(record, indent=2) + "\n")
        return {key: value for row, figures in details.items()
                for metric, values in figures.items()
                for key, value in ((f"{row}/{metric}", float(np.mean(values))),
                                   (f"{row}/{metric}_std", float(np.std(values))))}
