"""The suite's downstream-task evaluator ``downstream``: does refinement pay off on the real
domain's labelled task?

The pattern of the paper's gaze experiment (Shrivastava et al. 2017, Sec. 4.1), for any suite
pair: small task models (task_model.py) are trained on raw synthetic examples, on the same
examples refined, and (the oracle) on the labelled real 'train' split, and each is scored on
the real domain's labelled 'test' and 'validation' splits (plugins/domains/splits.py): settings
are chosen on validation, figures reported on test. Integer labels make it a classification
scored by accuracy; float labels a regression scored by mean squared error (``task`` says which
where the labels' type does not, as a folder's label file, whose labels are all floats).

Datasets without the suite's splits (a user's folders, docs/YOUR_DATA.md) take the synthetic
training draw from the dataset's first ``train_examples`` examples and each labelled real part
from a gin scope of its own (``real_scopes``), e.g. two disjoint parts of a labelled folder.

Keys (the trainer prefixes the evaluator's name): ``<row>/<metric>`` and ``<row>/<metric>_std``
(over ``num_seeds`` task models) on the test split, ``<row>/validation_<metric>`` and
``..._std`` on the validation split, for rows ``synthetic``, ``refined`` (given a refiner) and
``oracle`` (with ``include_oracle``); ``<metric>`` is ``accuracy`` or ``mse``. The synthetic
and oracle rows do not depend on the refiner: trained once and cached. Each call also writes
``<output_dir>/step_XXXXXX.json`` with the per-seed figures.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import gin
import keras
import numpy as np
import tensorflow as tf

from simgan.core import data, evaluation, seeds
from simgan.core.evaluation import refine
from simgan.core.registries import DATASETS, EVALUATORS
from simgan.io import files
from simgan.io.evaluation_file import HELDOUT_SPLITS, split_key
from simgan.plugins.domains import splits, task_model

_NAME = "downstream"

@EVALUATORS.register(_NAME)
class DownstreamEvaluator:
    """Downstream task: models trained on raw vs refined synthetic examples (and on labelled
    real ones, the oracle), scored on the real domain's labelled test and validation splits.

    The datasets are the run's own domains (``domains``: the framework's description of the
    run's synthetic and real datasets and their gin scopes) unless ``synthetic_dataset`` /
    ``real_dataset`` and the scopes are set. A suite dataset (``split`` and ``num_examples``
    parameters, plugins/domains/splits.py) is asked for each split; any other real dataset
    needs ``real_scopes``: ``{'validation': scope, 'test': scope}`` (and ``'train'``, the
    oracle's, with ``include_oracle``), each part built under its gin scope and used whole, up
    to ``test_examples`` for validation and test. ``label_key`` names the label entry;
    ``task`` is ``'auto'`` (integer labels: classification), ``'classification'`` (whole-number
    labels of any type are classes) or ``'regression'``. The synthetic training draw takes
    ``train_examples`` (the first of a dataset without ``num_examples``).
    ``task_input_range`` is the range the task models see every image in (train and test):
    the datasets' [-1, 1] mapped linearly onto it, e.g. (0, 1) as many classifiers are fed.
    How strong the raw-synthetic baseline is can depend on it (docs/ROBUSTNESS.md, "Does the
    gain depend on the task model?"), so a payoff should hold in more than one.
    """

    def __init__(self, *, seed: int, output_dir: str, domains: Any = None,
                 label_key: str | None = None, synthetic_dataset: str | None = None,
                 real_dataset: str | None = None, synthetic_scope: str | None = None,
                 real_scope: str | None = None,
                 real_scopes: Mapping[str, str] | None = None, task: str = "auto",
                 train_examples: int = 2000, test_examples: int = 500, num_seeds: int = 3,
                 include_oracle: bool = True, refine_batch_size: int = 256,
                 task_input_range: tuple[float, float] = (-1.0, 1.0)):
        task_model.check_settings(_NAME, label_key=label_key, task=task,
                                  train_examples=train_examples, test_examples=test_examples,
                                  num_seeds=num_seeds, example_keys="'gaze' or 'quarter_turn'")
        low, high = (float(v) for v in task_input_range)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"{_NAME}.task_input_range: expected (low, high), finite, low < "
                             f"high; got {tuple(task_input_range)!r}")
        self._input_scale, self._input_offset = (high - low) / 2.0, (high + low) / 2.0
        self._seed = seed
        self._output_dir = output_dir
        self._label_key = label_key
        self._synthetic = source(_NAME, "synthetic", synthetic_dataset, synthetic_scope, domains)
        self._real = source(_NAME, "real", real_dataset, real_scope, domains)
        if real_scopes is not None and real_scope is not None:
            raise ValueError(f"{_NAME}.real_scope and {_NAME}.real_scopes: both set; expected "
                             "one (real_scopes: a scope per labelled real part)")
        self._real_scopes = _check_scopes(real_scopes, include_oracle)
        if self._real_scopes is None and not splits.has_splits(self._real[0]):
            raise ValueError(f"{_NAME}: real dataset {self._real[0]!r} has no 'split' and "
                             "'num_examples' parameters (plugins/domains/splits.py); set "
                             f"{_NAME}.real_scopes to the gin scopes of its labelled "
                             "'validation' and 'test' parts (docs/YOUR_DATA.md)")
        self._task = task
        # What it draws from, role -> (dataset, gin scope): configs/selection.py checks that
        # every dataset binding is one a run uses.
        self.datasets = {"synthetic": self._synthetic}
        if self._real_scopes is None:
            self.datasets["real"] = self._real
        else:
            self.datasets.update({f"real {split}": (self._real[0], scope)
                                  for split, scope in self._real_scopes.items()})
        self._train_examples = train_examples
        self._test_examples = test_examples
        self._num_seeds = num_seeds
        self._include_oracle = include_oracle
        self._refine_batch_size = refine_batch_size
        self._arrays: dict[str, dict[str, np.ndarray]] = {}
        self._fixed_rows: dict[str, dict[str, Any]] = {}

    def _take(self, side: str, split: str) -> dict[str, np.ndarray]:
        """The labelled examples of one side's split (cached): ``train_examples`` synthetic
        ones, ``test_examples`` real test/validation ones (at most, from ``real_scopes``), or
        the whole real 'train' set at the run's size (the oracle's)."""
        key = f"{side}/{split}"
        if key in self._arrays:
            return self._arrays[key]
        name, scope = self._synthetic if side == "synthetic" else self._real
        overrides: dict[str, Any] = {}
        count = None
        if side == "synthetic":
            count = self._train_examples
            if splits.has_splits(name):
                overrides = {"split": split, "num_examples": count}
        elif self._real_scopes is not None:
            scope = self._real_scopes[split]
        else:
            overrides = {"split": split}
            if split in HELDOUT_SPLITS:
                overrides["num_examples"] = count = self._test_examples
        seed = (seeds.stream(self._seed, "downstream_synthetic") if side == "synthetic"
                else self._seed)
        with gin.config_scope(scope):
            dataset = DATASETS.build(name, seed=seed, **overrides)
        where = data.describe(name, scope, f"split {split!r}" if overrides else "")
        check_labelled(dataset, where, self._label_key, _NAME)
        if count is None:
            count = int(dataset.cardinality())
            if count < 1:
                raise data.DatasetContractError(
                    f"{where}: the downstream task needs a finite real {split!r} part; this "
                    "one has no known size")
            if split in HELDOUT_SPLITS:
                count = min(count, self._test_examples)
        asked = f" ({_NAME}.train_examples)" if side == "synthetic" else ""
        self._arrays[key] = first_examples(dataset, count, where, asked)
        return self._arrays[key]

    def _experiment(self, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
        """Trains ``num_seeds`` task models on (images, labels); scores each on the real test
        and validation splits."""
        tests = {split: self._take("real", split) for split in HELDOUT_SPLITS}
        task = task_model.Task(self._task, self._label_key, labels,
                               *(t[self._label_key] for t in tests.values()), owner=_NAME)
        models = task_model.trained_models(
            task, self._task_input(images), labels,
            seed=seeds.stream(self._seed, "downstream_models"), num_seeds=self._num_seeds)
        scores = task_model.scores(
            task, models, {split: (self._task_input(test[data.IMAGE_KEY]), test[self._label_key])
                           for split, test in tests.items()})
        figures: dict[str, Any] = {}
        for split, values in scores.items():
            figures.update({split_key(split, task.metric): float(np.mean(values)),
                            split_key(split, f"{task.metric}_std"): float(np.std(values)),
                            split_key(split, f"{task.metric}_per_seed"): values})
        return figures

    def _task_input(self, images: np.ndarray) -> np.ndarray:
        """``images`` in [-1, 1] mapped onto ``task_input_range``."""
        return (images * self._input_scale + self._input_offset).astype(np.float32)

    def _fixed_row(self, row: str) -> dict[str, Any]:
        """The synthetic or oracle row: independent of the refiner, so trained once."""
        if row not in self._fixed_rows:
            arrays = self._take(*(("synthetic", "train") if row == "synthetic"
                                  else ("real", "train")))
            self._fixed_rows[row] = self._experiment(arrays[data.IMAGE_KEY],
                                                     arrays[self._label_key])
        return self._fixed_rows[row]

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        details = {"synthetic": self._fixed_row("synthetic")}
        if self._include_oracle:
            details["oracle"] = self._fixed_row("oracle")
        if refiner is not None:
            train = self._take("synthetic", "train")
            refined = refine(refiner, train[data.IMAGE_KEY], self._refine_batch_size)
            details["refined"] = self._experiment(refined, train[self._label_key])
        record = {"step": step, "train_examples": self._train_examples,
                  "test_examples": self._test_examples, "num_seeds": self._num_seeds,
                  "results": details}
        files.atomic_write_text(files.join(self._output_dir, f"step_{step:06d}.json"),
                                json.dumps(record, indent=2) + "\n")
        return {f"{row}/{metric}": value for row, figures in details.items()
                for metric, value in figures.items() if isinstance(value, float)}


def source(owner: str, side: str, name: str | None, scope: str | None,
           domains: Any) -> tuple[str, str]:
    """(dataset name, gin scope) of one side ('synthetic' or 'real') of ``owner``'s draws: the
    bindings, else the run's domains (core's ``dataset_for``); outside a run an unbound scope is
    the side's name, so a user's gin can scope the two sides apart."""
    if scope is None and domains is None:
        scope = side
    name, scope = evaluation.dataset_for(domains, side, name, scope,
                                         (f"{owner}.{side}_dataset", f"{owner}.{side}_scope"))
    DATASETS.lookup(name)  # an unknown name fails here, naming the registered ones
    return name, scope


def check_labelled(dataset: tf.data.Dataset, where: str, label_key: str, owner: str) -> None:
    """The dataset contract, and a ``label_key`` entry (``owner.label_key``) in its elements."""
    data.check_contract(dataset, where)
    data.check_entries(dataset, where, (label_key,), f" ({owner}.label_key)")


def first_examples(dataset: tf.data.Dataset, count: int, where: str,
                   asked: str) -> dict[str, np.ndarray]:
    """The first ``count`` examples as arrays; fewer fail naming ``where`` and the setting that
    asked for them (``asked``, e.g. " (downstream.train_examples)")."""
    arrays = data.first(dataset, count)
    data.check_size(len(arrays[data.IMAGE_KEY]), where, count, asked)
    return arrays


def _check_scopes(scopes: Mapping[str, str] | None,
                  include_oracle: bool) -> dict[str, str] | None:
    """``real_scopes`` as a dict, or a one-line ValueError naming what is missing or unknown."""
    if scopes is None:
        return None
    scopes = dict(scopes)
    needed = set(HELDOUT_SPLITS) | ({"train"} if include_oracle else set())
    unknown = sorted(set(scopes) - {"train", *HELDOUT_SPLITS})
    missing = sorted(needed - set(scopes))
    if unknown or missing or not all(isinstance(s, str) and s for s in scopes.values()):
        oracle = (" ('train', the labelled real images the oracle trains on, only with "
                  f"{_NAME}.include_oracle)")
        raise ValueError(f"{_NAME}.real_scopes: expected a gin scope for each of "
                         f"{sorted(needed)}{oracle if include_oracle else ''}; got "
                         f"{scopes!r}" + (f" (missing {missing})" if missing else "")
                         + (f" (unknown {unknown})" if unknown else ""))
    return scopes
