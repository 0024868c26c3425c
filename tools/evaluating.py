"""The evaluation behind `simgan-eval`: the evaluators named in gin run on a refiner (or none,
for the raw synthetic references), and the results written as a Markdown table and JSON."""

from __future__ import annotations

import json
import os
from typing import Mapping, Sequence

import keras
from absl import logging

from simgan.core import evaluation, registry, seeds
from simgan.core.engine import actions
from simgan.core.engine.config import TrainConfig
from simgan.core.registries import EVALUATORS
from simgan.io import evaluation_file, interrupts, report
from simgan.io.files import atomic_write_text

SUMMARY_FILE, RESULTS_FILE = "eval_summary.md", "eval_results.json"


@registry.configurable("evaluation", module="simgan_eval")
def run_config(evaluators: Sequence | None = None) -> TrainConfig:
    """The run's ``train`` configuration, its evaluator instances replaced by
    ``simgan_eval.evaluation.evaluators`` when that is bound."""
    config_ = TrainConfig(evaluators=evaluators) if evaluators else TrainConfig()
    if not config_.evaluators:
        raise ValueError("No evaluators named: bind evaluation.evaluators = ['gaze', ...] "
                         f"(known: {', '.join(EVALUATORS.names())})")
    return config_


def evaluate(refiner: keras.Model | None, output_dir: str, *, seed: int = 0,
             step: int = 0) -> dict[str, float]:
    """Runs every evaluator instance against the run's domains; returns
    {"<instance>/<key>": value}."""
    run = run_config()
    domains = evaluation.Domains(synthetic=run.synthetic_dataset, real=run.real_dataset)
    results = {}
    for name, kind in run.evaluator_instances():
        interrupts.at(f"evaluator {name!r}")
        evaluator = actions.build_evaluator(name, kind, seed=seeds.stream(seed, "evaluation"),
                                            output_dir=os.path.join(output_dir, name),
                                            domains=domains)
        logging.info("Running evaluator %s (%s)", name, kind)
        for key, value in evaluator.evaluate(refiner, step).items():
            results[f"{name}/{key}"] = float(value)
    return results


def summary_table(results: Mapping[str, float]) -> str:
    """Markdown: one row per metric, columns synthetic | refined, spreads in the cells
    (io/report.py); keys of no source are listed below."""
    return report.evaluation_table(results) + "\n"


def write_report(output_dir: str, results: Mapping[str, float], refiner_path: str | None,
                 step: int) -> None:
    """``eval_results.json`` and ``eval_summary.md`` in ``output_dir`` (atomically)."""
    record = {"refiner": refiner_path, "step": step, "results": dict(results)}
    atomic_write_text(os.path.join(output_dir, RESULTS_FILE),
                      json.dumps(record, indent=2, sort_keys=True) + "\n")
    header = (f"# Evaluation of {refiner_path or 'raw synthetic images (no refiner)'}\n\n"
              f"Step {step}. Spreads: std over seeds or images, s.e. = standard error, "
              "[a, b] = 95% confidence interval.\n\n")
    atomic_write_text(os.path.join(output_dir, SUMMARY_FILE), header + summary_table(results))


def summarize(path: str) -> str:
    """The summary table of the last record of a trainer's ``evaluation.json``."""
    records = evaluation_file.load_results(path)
    if not records:
        raise ValueError(f"{path}: no evaluation records (expected a non-empty JSON list)")
    last = dict(records[-1])
    step = last.pop("step")
    finite = {k: v for k, v in last.items() if isinstance(v, (int, float))}
    return f"Step {step} of {path}\n\n" + summary_table(finite)
