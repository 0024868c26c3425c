"""Between compiled calls: divergence checks, configs, grids, scalars, evaluation and export."""

from __future__ import annotations

import json

import gin
import keras
from absl import logging
from simgan.core import data
from simgan.core.registries import EVALUATORS
from simgan.io import evaluation_file, exported, files, interrupts, provenance
from simgan.io.files import atomic_write_text
from simgan.io.summaries import Summaries

COMPARED_WITH_FILE = "eval/datasets.json"  # which datasets each evaluator instance scored


class TrainingDivergedError(RuntimeError):
    """A loss became NaN/inf or exceeded the divergence bound."""


def check_divergence(engine, where: str) -> None:
    """Stops the run if a step flagged a non-finite or diverging metric, saving nothing."""
    bad = int(engine.diverged_at.numpy())
    if bad >= 0:
        latest = engine.checkpointer.latest() or "none yet"
        raise TrainingDivergedError(
            f"Training diverged: a loss became NaN/inf or exceeded train.max_loss="
            f"{engine.config.max_loss:g} at step {bad + 1} (detected at {where}). Stopped "
            f"without saving; the last good checkpoint is kept: {latest}")


def grid(engine, summaries: Summaries, step: int) -> None:
    """The preview grid: synthetic | generated | real."""
    synthetic, real = engine.previews["synthetic"], engine.previews["real"]
    rows = [synthetic, engine.task.generator(synthetic), real]
    summaries.grid(step, [data.to_uint8(r).numpy() for r in rows])


def task_scalars(task) -> dict[str, float]:
    """The task's learning rates and optional ``summary_scalars()``, logged at each summary."""
    return {**{f"{name}/learning_rate": float(keras.ops.convert_to_numpy(opt.learning_rate))
               for name, opt in task.optimizers().items()},
            **getattr(task, "summary_scalars", dict)()}


def build_evaluator(name: str, kind: str, **framework_args):
    """Evaluator instance ``name`` of type ``kind``, configured under the gin scope ``name``
    when it differs from the type (two instances of one type are two scopes)."""
    if name == kind:
        return EVALUATORS.build(kind, **framework_args)
    with gin.config_scope(name):
        return EVALUATORS.build(kind, **framework_args)


def evaluate(engine, step: int, summaries: Summaries | None) -> dict[str, float]:
    """Runs every evaluator instance on the generator; logs to TensorBoard, appends to
    evaluation.json and names the datasets each instance compared with in eval/datasets.json."""
    results, compared_with = {}, {}
    for name, evaluator in engine.evaluators.items():
        for key, value in evaluator.evaluate(engine.task.generator, step).items():
            results[f"{name}/{key}"] = float(value)
        compared_with[name] = {role: {"dataset": dataset, "scope": scope}
                               for role, (dataset, scope) in
                               getattr(evaluator, "datasets", {}).items()}
    if summaries is not None:
        summaries.evaluation(step, results, plots_dir=files.join(engine.model_dir, "eval"))
    with interrupts.deferred():
        evaluation_file.append_results(files.join(engine.model_dir, evaluation_file.NAME), step,
                                       results)
        atomic_write_text(files.join(engine.model_dir, COMPARED_WITH_FILE),
                          json.dumps(compared_with, indent=2, sort_keys=True) + "\n")
    logging.info("evaluation at step %d: %s", step, results)
    return results


def export(engine) -> str:
    """Saves the generator as a standalone .keras file (atomically), and the configs."""
    path = exported.save(engine.task.generator, engine.output_dir)
    provenance.write(engine.output_dir, engine.session_start, engine.run_record)
    logging.info("Exported the generator to %s", path)
    return path


def output_paths(model_dir: str) -> dict[str, str]:
    """Where a finished run's outputs are, for the end-of-run report."""
    return {"grids": files.join(model_dir, "grids"),
            "refiner": files.join(model_dir, exported.EXPORT_PATH),
            "evaluation": files.join(model_dir, evaluation_file.NAME),
            "TensorBoard": model_dir}
