"""`simgan-eval`: runs the evaluators named in gin on a trained model dir or an exported refiner
and writes a Markdown table (synthetic vs refined, every metric with its spread) and JSON.

    simgan-eval --model_dir=runs/eyes --gin_file=simgan/eyes_experiment.gin
    simgan-eval --refiner=refiner.keras --gin_file=my_eval.gin --output_dir=eval/
    simgan-eval --summarize=runs/eyes/evaluation.json   # table of a training run's last record

With --model_dir, its config.gin (every binding of the training run, the evaluators' included)
is parsed first, then --gin_file/--gin_param; the refiner is export/refiner.keras.
The evaluators are ``evaluation.evaluators`` if bound, else the model's ``train.evaluators``.
Without any refiner only the raw synthetic references are computed.
"""

from __future__ import annotations

from simgan.core import cli

cli.quiet_tensorflow()

import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from typing import Mapping, Sequence  # noqa: E402

import gin  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import flags, logging  # noqa: E402

from simgan.core import (config, evaluation, exported, interrupts, lock, plugins,  # noqa: E402
                         registry, trainer)
from simgan.core.files import atomic_write_text  # noqa: E402
from simgan.core.registries import EVALUATORS  # noqa: E402
from simgan.core.tables import markdown_table  # noqa: E402

SUMMARY_FILE, RESULTS_FILE = "eval_summary.md", "eval_results.json"
_SOURCE = re.compile(r"^(synthetic|refined)(?:_(\d+x))?$")
_SPREADS = ("_std", "_se", "_ci_low", "_ci_high")


@registry.configurable("evaluation", module="simgan_eval")
def evaluator_names(evaluators: Sequence[str] | None = None) -> list[str]:
    """The evaluators to run: ``simgan_eval.evaluation.evaluators``, else ``train.evaluators``."""
    if evaluators is None:
        try:
            evaluators = gin.query_parameter("train.evaluators")
        except ValueError:
            evaluators = ()
    if not evaluators:
        raise ValueError("No evaluators named: bind evaluation.evaluators = ['gaze', ...] "
                         f"(known: {', '.join(EVALUATORS.names())})")
    return list(evaluators)


def evaluate(refiner: keras.Model | None, output_dir: str, *, seed: int = 0,
             step: int = 0) -> dict[str, float]:
    """Runs every named evaluator; returns {"<evaluator>/<key>": value}."""
    results = {}
    for name in evaluator_names():
        interrupts.at(f"evaluator {name!r}")
        evaluator = EVALUATORS.build(name, seed=seed, output_dir=os.path.join(output_dir, name))
        logging.info("Running evaluator %s", name)
        for key, value in evaluator.evaluate(refiner, step).items():
            results[f"{name}/{key}"] = float(value)
    return results


def _format(value: float, spread: Mapping[str, float]) -> str:
    text = f"{value:.4g}"
    if "_std" in spread:
        text += f" ± {spread['_std']:.2g} (std)"
    if "_se" in spread:
        text += f" ± {spread['_se']:.2g} (s.e.)"
    if "_ci_low" in spread and "_ci_high" in spread:
        text += f" [{spread['_ci_low']:.3g}, {spread['_ci_high']:.3g}]"
    return text


def summary_table(results: Mapping[str, float]) -> str:
    """Markdown: one row per metric, columns synthetic | refined, spreads in the cells.

    Keys look like ``<evaluator>/<source>/<metric>`` with source ``synthetic`` or ``refined``
    (optionally ``_<k>x``); ``<metric>_std``, ``_se``, ``_ci_low``, ``_ci_high`` are the spreads
    of ``<metric>``. Other keys are listed below the table.
    """
    rows: dict[str, dict[str, str]] = {}
    other = []
    for key, value in results.items():
        parts = key.split("/")
        match = _SOURCE.match(parts[-2]) if len(parts) >= 3 else None
        if match is None:
            other.append((key, f"{value:.4g}"))
            continue
        if any(key.endswith(s) and key[: -len(s)] in results for s in _SPREADS):
            continue  # a spread, shown beside its metric
        label = "/".join(parts[:-2] + parts[-1:])
        if match.group(2):
            label += f" ({match.group(2)})"
        spread = {s: results[key + s] for s in _SPREADS if key + s in results}
        rows.setdefault(label, {})[match.group(1)] = (
            "n/a" if not math.isfinite(value) else _format(value, spread))
    text = markdown_table(["metric", "synthetic", "refined"],
                          [[label, cells.get("synthetic", "—"), cells.get("refined", "—")]
                           for label, cells in sorted(rows.items())])
    if other:
        text += "\n\n" + markdown_table(["other", "value"], sorted(other))
    return text + "\n"


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
    records = evaluation.load_results(path)
    if not records:
        raise ValueError(f"{path}: no evaluation records (expected a non-empty JSON list)")
    last = dict(records[-1])
    step = last.pop("step")
    finite = {k: v for k, v in last.items() if isinstance(v, (int, float))}
    return f"Step {step} of {path}\n\n" + summary_table(finite)


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    f = flags.FLAGS
    if f.summarize:
        print(summarize(f.summarize))
        return
    keras.utils.set_random_seed(f.seed)
    tf.config.experimental.enable_op_determinism()
    plugins.load_all(f.plugin)
    gin_files, refiner_path = list(f.gin_file), f.refiner
    if f.model_dir:
        run_config = os.path.join(f.model_dir, trainer.FULL_CONFIG)
        if not tf.io.gfile.exists(run_config):
            raise FileNotFoundError(f"--model_dir {f.model_dir!r}: no {trainer.FULL_CONFIG}; "
                                    "is it a simgan-train model dir?")
        gin_files.insert(0, run_config)
        refiner_path = refiner_path or os.path.join(f.model_dir, exported.EXPORT_PATH)
    output_dir = f.output_dir or os.path.join(
        f.model_dir or os.path.dirname(os.path.abspath(refiner_path or ".")), "eval")
    config.parse(gin_files, f.gin_param)
    refiner = exported.load(refiner_path) if refiner_path else None
    with lock.hold(output_dir, "--output_dir"):  # one simgan-eval per output folder
        results = evaluate(refiner, output_dir, seed=f.seed, step=f.step)
        write_report(output_dir, results, refiner_path, f.step)
    print(summary_table(results))
    logging.info("Wrote %s and %s in %s", SUMMARY_FILE, RESULTS_FILE, output_dir)


def define_flags() -> None:
    cli.define_model_dir(required=False, what="A simgan-train model dir (uses "
                         "export/refiner.keras and config.gin).")
    flags.DEFINE_string("refiner", None, "An exported refiner .keras file (overrides model_dir's).")
    cli.define_gin("configures the evaluators")
    cli.define_plugin()
    cli.define_output_dir(required=False, what="Where results go (default <model_dir>/eval).")
    cli.define_seed("the evaluators (data draws, estimator inits)")
    flags.DEFINE_integer("step", 0, "Step number recorded with the results and plot names.")
    flags.DEFINE_string("summarize", None, "Only print the table of the last record of this "
                        "evaluation.json (as written by simgan-train); runs nothing.")


def run() -> None:
    cli.run("simgan-eval", define_flags, main,
            interrupted="run the same command again to start the evaluation over")


if __name__ == "__main__":
    run()
