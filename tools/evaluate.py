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

from simgan.tools import cli

cli.quiet_tensorflow()

import json  # noqa: E402
import os  # noqa: E402
from typing import Mapping, Sequence  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import flags, logging  # noqa: E402

from simgan.configs import parsing  # noqa: E402
from simgan.core import evaluation, registry, seeds  # noqa: E402
from simgan.core.engine import actions  # noqa: E402
from simgan.core.engine.config import TrainConfig  # noqa: E402
from simgan.core.registries import EVALUATORS  # noqa: E402
from simgan.io import evaluation_file, exported, interrupts, lock, provenance, report  # noqa: E402
from simgan.io.files import atomic_write_text  # noqa: E402
from simgan.plugins import loading  # noqa: E402

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


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    f = flags.FLAGS
    if f.summarize:
        print(summarize(f.summarize))
        return
    keras.utils.set_random_seed(f.seed)
    tf.config.experimental.enable_op_determinism()
    loading.load_all(f.plugin)
    gin_files, refiner_path = list(f.gin_file), f.refiner
    if f.model_dir:
        run_config = os.path.join(f.model_dir, provenance.FULL_CONFIG)
        if not tf.io.gfile.exists(run_config):
            raise FileNotFoundError(f"--model_dir {f.model_dir!r}: no {provenance.FULL_CONFIG}; "
                                    "is it a simgan-train model dir?")
        gin_files.insert(0, run_config)
        refiner_path = refiner_path or os.path.join(f.model_dir, exported.EXPORT_PATH)
    output_dir = f.output_dir or os.path.join(
        f.model_dir or os.path.dirname(os.path.abspath(refiner_path or ".")), "eval")
    parsing.parse(gin_files, f.gin_param)
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
