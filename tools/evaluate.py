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

import os

from absl import flags, logging

from simgan.io import lock
from simgan.tools import cli


def main(argv: list[str]) -> None:
    # pylint: disable=import-outside-toplevel  (tools/cli.py: --help without TensorFlow)
    import keras
    import tensorflow as tf

    from simgan.io import exported
    from simgan.tools import run_config
    from simgan.tools.evaluating import (RESULTS_FILE, SUMMARY_FILE, evaluate, summarize,
                                         summary_table, write_report)

    cli.no_arguments(argv)
    f = flags.FLAGS
    if f.summarize:
        print(summarize(f.summarize))
        return
    keras.utils.set_random_seed(f.seed)
    tf.config.experimental.enable_op_determinism()
    refiner_path = run_config.parse(model_dir=f.model_dir, refiner_path=f.refiner,
                                    gin_files=f.gin_file, bindings=f.gin_param,
                                    plugin_modules=f.plugin)
    output_dir = f.output_dir or os.path.join(
        f.model_dir or os.path.dirname(os.path.abspath(refiner_path or ".")), "eval")
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
