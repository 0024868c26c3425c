"""`simgan-train`: trains a gin-composed task (S+U by default) into --model_dir, resuming if it
exists.

    simgan-train --gin_file=quickstart.gin --model_dir=runs/quickstart --seed=0
"""

from __future__ import annotations

import contextlib

from absl import flags, logging

from simgan.configs import parsing, validation
from simgan.core import registries
from simgan.core.engine.config import TrainConfig
from simgan.io import lock
from simgan.plugins import loading
from simgan.tools import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
    cli.define_gin()
    cli.define_model_dir()
    cli.define_plugin()
    cli.define_seed("initialization, data order and the buffer")
    flags.DEFINE_string("strategy", "default", "tf.distribute strategy: default, mirrored or "
                        "multi_worker (with train.cpu_devices = N, 'mirrored' runs on N logical "
                        "CPUs).")


def main(argv: list[str]) -> None:
    # pylint: disable=import-outside-toplevel  (tools/cli.py: --help without TensorFlow)
    from simgan.core.engine import strategies
    from simgan.core.engine.actions import TrainingDivergedError
    from simgan.core.engine.health import TrainingUnhealthyError
    from simgan.core.engine.loop import Engine
    from simgan.io import read_errors
    from simgan.tools import process, progress

    cli.no_arguments(argv)
    quiet = not FLAGS["verbosity"].present  # progress bars and a report; --verbosity: the log
    if quiet:
        logging.set_verbosity(logging.WARNING)
    loading.load_all(FLAGS.plugin)
    parsing.parse(FLAGS.gin_file, FLAGS.gin_param)
    validation.check_bindings(registries.components())  # every binding's type
    train_config = validation.configured(TrainConfig, "train")
    deterministic = process.prepare(FLAGS.seed, train_config)
    logging.info("Deterministic ops: %s", deterministic)
    strategy = process.strategy(FLAGS.strategy)
    logging.info("Strategy %s with %d replicas", type(strategy).__name__,
                 strategy.num_replicas_in_sync)
    # One writer per model dir; only the chief writes it (other workers: a scratch folder).
    chief = strategies.chief_and_task(strategy)[0]
    with lock.hold(FLAGS.model_dir, "--model_dir") if chief else contextlib.nullcontext(), \
            read_errors.naming_files():
        if chief:  # simgan-refine and simgan-eval load them from the run
            loading.record(FLAGS.model_dir, FLAGS.plugin)
        engine = Engine(train_config, FLAGS.model_dir, FLAGS.seed, strategy,
                        progress=progress.StageProgress if quiet else None)
        try:
            results = engine.train()
        except (TrainingDivergedError, TrainingUnhealthyError) as e:
            raise cli.UserError(e) from e  # the run stopped itself: one line, exit 1
    if engine.is_chief:
        print(progress.final_report(results, engine.output_paths()))


def run() -> None:
    cli.run("simgan-train", define_flags, main)


if __name__ == "__main__":
    run()
