"""`simgan-train`: trains a gin-composed task (S+U by default) into --model_dir, resuming if it
exists.

    simgan-train --gin_file=quickstart.gin --model_dir=runs/quickstart --seed=0
"""

from __future__ import annotations

from simgan.tools import cli

cli.quiet_tensorflow()

import contextlib  # noqa: E402

from absl import flags, logging  # noqa: E402  (after the TensorFlow log level is set)

from simgan.configs import parsing, validation  # noqa: E402
from simgan.core import registries  # noqa: E402
from simgan.core.engine import speed, strategies  # noqa: E402
from simgan.core.engine.actions import TrainingDivergedError  # noqa: E402
from simgan.core.engine.config import TrainConfig  # noqa: E402
from simgan.core.engine.health import TrainingUnhealthyError  # noqa: E402
from simgan.core.engine.loop import Engine  # noqa: E402
from simgan.io import lock, read_errors  # noqa: E402
from simgan.plugins import loading  # noqa: E402
from simgan.tools import progress  # noqa: E402

FLAGS = flags.FLAGS


def define_flags() -> None:
    cli.define_gin()
    cli.define_model_dir()
    cli.define_plugin()
    cli.define_seed("initialization, data order and the buffer")
    flags.DEFINE_enum("strategy", "default", strategies.STRATEGIES, "tf.distribute strategy "
                      "(with train.cpu_devices = N, 'mirrored' runs on N logical CPUs).")


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    quiet = not FLAGS["verbosity"].present  # progress bars and a report; --verbosity: the log
    if quiet:
        logging.set_verbosity(logging.WARNING)
    loading.load_all(FLAGS.plugin)
    parsing.parse(FLAGS.gin_file, FLAGS.gin_param)
    validation.check_bindings(registries.components())  # every binding's type
    train_config = validation.configured(TrainConfig, "train")
    deterministic = speed.prepare_process(FLAGS.seed, train_config.deterministic,
                                          train_config.cpu_devices)
    logging.info("Deterministic ops: %s", deterministic)
    strategy = strategies.make(FLAGS.strategy)
    logging.info("Strategy %s with %d replicas", type(strategy).__name__,
                 strategy.num_replicas_in_sync)
    # One writer per model dir; only the chief writes it (other workers: a scratch folder).
    chief = strategies.chief_and_task(strategy)[0]
    with lock.hold(FLAGS.model_dir, "--model_dir") if chief else contextlib.nullcontext(), \
            read_errors.naming_files():
        engine = Engine(train_config, FLAGS.model_dir, FLAGS.seed, strategy,
                        progress=progress.StageProgress if quiet else None)
        results = engine.train()
    if engine.is_chief:
        print(progress.final_report(results, engine.output_paths()))


def run() -> None:
    cli.run("simgan-train", define_flags, main, user_errors=(TrainingDivergedError, TrainingUnhealthyError))


if __name__ == "__main__":
    run()
