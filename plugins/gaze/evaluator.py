"""The paper's gaze experiment as an evaluator: train the estimator on synthetic or refined
images, test it on labelled real images, report angular error and "% within d degrees".

Keys returned (``<k>`` is each data multiplier; the caller prefixes the evaluator's name):
``synthetic_<k>x/error_deg``, ``.../error_deg_std`` (over estimator seeds),
``.../within_7deg_pct``, ``.../within_7deg_pct_std``, and the same for ``refined_<k>x``.
With ``include_oracle``, ``oracle_<k>x/...`` too. With ``report_validation``, every row also
has ``validation_error_deg`` and ``validation_within_7deg_pct``: the same estimators tested on the
'validation' draw, so one run gives the figures to choose settings on and the figures to report.
The synthetic and oracle rows do not depend
on the refiner, so they are computed once and cached.
Each call also writes ``<output_dir>/step_XXXXXX.json`` (curves, per-seed figures) and
``.png`` (the curves, like the paper's Figure 7).
"""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

import keras
import numpy as np
from absl import logging

from simgan.core import data, seeds
from simgan.core.evaluation import dataset_for, Domains, refine
from simgan.core.registries import EVALUATORS
from simgan.io.evaluation_file import split_key
from simgan.io.files import atomic_write_text
from simgan.plugins.gaze import angles, estimator, plot

GAZE_KEY = "gaze"
# Seed streams (core/seeds.py) of the draws: settings (sweeps) are chosen on the 'validation'
# draw, figures are reported on the 'test' draw; both differ from the training draw.
SPLIT_STREAMS = {"train": "gaze_train", "test": "gaze_test", "validation": "gaze_validation"}


def take_labelled(dataset_name: str, scope: str, seed: int, count: int) -> dict[str, np.ndarray]:
    """The first ``count`` elements of a registered dataset that has 'gaze' labels."""
    return data.take(dataset_name, scope, seed, count, required=(GAZE_KEY,))


def check_labels(name: str, scope: str, seed: int, key: str, owner: str, hint: str) -> None:
    """Builds a dataset and fails naming ``owner`` (the binding that chose it), the dataset and
    ``hint`` when its elements lack ``key``; evaluators call it when built, so that a run fails
    before it trains rather than after."""
    data.check_entries(data.build(name, scope, seed), f"{owner}: {data.describe(name, scope)}",
                       (key,), f" ({hint})")


@EVALUATORS.register("gaze")
class GazeEvaluator:
    """Gaze experiment: estimator trained on synthetic vs refined images, tested on real ones.

    The estimators train on ``train_dataset`` (built under ``train_scope``) and are tested on
    ``test_dataset`` (``test_scope``); each left unset is the run's synthetic and real dataset
    and scope (``domains``). Both must carry 'gaze' labels.

    ``test_split='validation'`` tests on another draw of the test dataset, for choosing settings
    without looking at the reported 'test' draw. ``include_oracle`` adds ``oracle_<k>x``: the
    estimator trained on labelled images of the test dataset's own domain (another draw), the
    bound on what refinement can reach. ``report_validation`` tests every estimator on the
    validation draw as well (no extra training), for sweeps that choose on one draw and report
    on the other."""

    def __init__(self, *, seed: int, output_dir: str, domains: Domains | None = None,
                 train_dataset: str | None = None, train_scope: str | None = None,
                 test_dataset: str | None = None, test_scope: str | None = None,
                 train_examples: int = 10000,
                 data_multipliers: Sequence[int] = (1,), test_examples: int = 2000,
                 num_seeds: int = 3, thresholds_deg: Sequence[float] = tuple(range(21)),
                 include_synthetic: bool = True, refine_batch_size: int = 256,
                 test_split: str = "test", include_oracle: bool = False,
                 report_validation: bool = False):
        if test_split not in SPLIT_STREAMS or test_split == "train":
            raise ValueError(f"gaze.test_split: expected 'test' or 'validation', got "
                             f"{test_split!r}")
        if report_validation and test_split == "validation":
            raise ValueError("gaze.report_validation: the test draw is already the validation "
                             "draw (gaze.test_split='validation'); expected one of the two")
        if 7 not in thresholds_deg:
            raise ValueError(f"gaze.thresholds_deg must include 7; got {thresholds_deg}")
        self._seed = seed
        self._output_dir = output_dir
        self.datasets = {
            "train": dataset_for(domains, "synthetic", train_dataset, train_scope,
                                 ("gaze.train_dataset", "gaze.train_scope")),
            "test": dataset_for(domains, "real", test_dataset, test_scope,
                                ("gaze.test_dataset", "gaze.test_scope"))}
        logging.info("gaze: trains on %r (gin scope %r), tests on %r (gin scope %r)",
                     *self.datasets["train"], *self.datasets["test"])
        for role, (name, scope) in self.datasets.items():
            check_labels(name, scope, seed, GAZE_KEY, f"gaze.{role}_dataset",
                         "the gaze experiment trains and tests on gaze labels")
        self._train = (*self.datasets["train"], train_examples * max(data_multipliers))
        self._test = (*self.datasets["test"], test_examples)
        self._base_examples = train_examples
        self._multipliers = tuple(data_multipliers)
        self._num_seeds = num_seeds
        self._thresholds = tuple(float(t) for t in thresholds_deg)
        self._include_synthetic = include_synthetic
        self._refine_batch_size = refine_batch_size
        self._test_split = test_split
        self._include_oracle = include_oracle
        self._test_draws = ("test", "validation") if report_validation else ("test",)
        self._arrays: dict[str, dict[str, np.ndarray]] = {}
        self._fixed_rows: dict[str, dict[str, Any]] = {}

    def _data(self, split: str) -> dict[str, np.ndarray]:
        if split not in self._arrays:
            name, scope, count = self._train
            offset = SPLIT_STREAMS["train"]
            if split == "oracle":  # labelled training images of the test dataset's domain
                name, scope = self._test[:2]
            elif split in ("test", "validation"):  # 'test' is the draw gaze.test_split names
                name, scope, count = self._test
                offset = SPLIT_STREAMS[self._test_split if split == "test" else split]
            self._arrays[split] = take_labelled(name, scope, seeds.stream(self._seed, offset),
                                                count)
        return self._arrays[split]

    def _experiment(self, images: np.ndarray, gazes: np.ndarray) -> dict[str, Any]:
        """Trains ``num_seeds`` estimators on (images, gazes); tests each on the real set(s)."""
        errors_per_seed = {draw: [] for draw in self._test_draws}
        curves = {draw: [] for draw in self._test_draws}
        for s in range(self._num_seeds):
            model = estimator.gaze_estimator(input_shape=images.shape[1:], seed=self._seed + s)
            estimator.train_gaze_estimator(model, images, gazes, seed=self._seed + s)
            for draw in self._test_draws:
                test = self._data(draw)
                errors = angles.angular_error_deg(
                    estimator.predict_gaze(model, test[data.IMAGE_KEY]), test[GAZE_KEY])
                errors_per_seed[draw].append(float(np.mean(errors)))
                curves[draw].append(angles.fraction_within(errors, self._thresholds))
        figures: dict[str, Any] = {}
        for draw in self._test_draws:
            draw_curves = np.asarray(curves[draw])
            within_7 = 100.0 * draw_curves[:, self._thresholds.index(7.0)]
            figures.update({split_key(draw, name): value for name, value in (
                ("error_deg", float(np.mean(errors_per_seed[draw]))),
                ("error_deg_std", float(np.std(errors_per_seed[draw]))),
                ("within_7deg_pct", float(np.mean(within_7))),
                ("within_7deg_pct_std", float(np.std(within_7))),
                ("error_deg_per_seed", errors_per_seed[draw]),
                ("curve", draw_curves.mean(axis=0).tolist()))})
        return figures

    def _fixed_row(self, source: str, split: str, n: int) -> dict[str, Any]:
        """The row trained on the first ``n`` images of ``split``: it does not depend on the
        refiner, so it is trained once and cached."""
        key = f"{source}_{n}"
        if key not in self._fixed_rows:
            logging.info("gaze: training on %d %s images", n, source)
            arrays = self._data(split)
            self._fixed_rows[key] = self._experiment(arrays[data.IMAGE_KEY][:n],
                                                     arrays[GAZE_KEY][:n])
        return self._fixed_rows[key]

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        train = self._data("train")
        refined = None
        if refiner is not None:  # once, for the largest multiplier; smaller ones are its prefix
            logging.info("gaze: refining %d training images", len(train[data.IMAGE_KEY]))
            refined = refine(refiner, train[data.IMAGE_KEY], self._refine_batch_size)
        details: dict[str, dict[str, Any]] = {}
        for k in self._multipliers:
            n = self._base_examples * k
            if self._include_synthetic:
                details[f"synthetic_{k}x"] = self._fixed_row("synthetic", "train", n)
            if self._include_oracle:  # labelled images of the test dataset's own domain
                details[f"oracle_{k}x"] = self._fixed_row("oracle", "oracle", n)
            if refined is not None:
                logging.info("gaze: training on %d refined images", n)
                details[f"refined_{k}x"] = self._experiment(refined[:n], train[GAZE_KEY][:n])
        self._write(step, details)
        return {f"{source}/{metric}": value
                for source, figures in details.items() for metric, value in figures.items()
                if isinstance(value, float)}

    def _write(self, step: int, details: dict[str, dict[str, Any]]) -> None:
        stem = os.path.join(self._output_dir, f"step_{step:06d}")
        record = {"step": step, "thresholds_deg": list(self._thresholds),
                  "train_examples_1x": self._base_examples, "test_examples": self._test[2],
                  "num_seeds": self._num_seeds, "results": details}
        atomic_write_text(stem + ".json", json.dumps(record, indent=2) + "\n")
        plot.plot_curves(stem + ".png", self._thresholds,
                         {source: d["curve"] for source, d in details.items()},
                         title=f"% of real test images within d degrees (step {step})")
