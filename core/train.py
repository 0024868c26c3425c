"""`simgan-train`: trains a gin-composed S+U model into --model_dir (resuming if it exists).

    simgan-train --gin_file=quickstart.gin --model_dir=runs/quickstart --seed=0
"""

from __future__ import annotations

import contextlib
import sys

import keras
import tensorflow as tf
from absl import app, flags, logging

from simgan.core import config, lock, plugins, read_errors, speed, strategies, validation
from simgan.core.data import DatasetContractError
from simgan.core.registry import UnknownComponentError
from simgan.core.trainer import Trainer, TrainingDivergedError

FLAGS = flags.FLAGS
flags.DEFINE_multi_string("gin_file", [], "Gin config file (repeatable); relative paths are also "
                          "looked up in the shipped configs/ folder.")
flags.DEFINE_multi_string("gin_param", [], "Gin binding, e.g. train.iterations=10 (repeatable).")
flags.DEFINE_string("model_dir", None, "Where checkpoints, summaries, grids and exports go.")
flags.DEFINE_multi_string("plugin", [], "Extra plugin module (dotted name or .py path) to load.")
flags.DEFINE_enum("strategy", "default", strategies.STRATEGIES, "tf.distribute strategy.")
flags.DEFINE_integer("cpu_devices", 1, "Split the CPU into this many logical devices, to run "
                     "--strategy=mirrored on one machine (tests, debugging).", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed for initialization, data order and the buffer; the same "
                     "seed gives the same result on the same machine (CPU).")
flags.DEFINE_bool("deterministic", None, "Deterministic TensorFlow ops (same seed, same result). "
                  "Default: on without a GPU, where it is free; off with one, where it costs "
                  "speed and some ops refuse it (docs/PERFORMANCE.md).")
flags.mark_flag_as_required("model_dir")

USER_ERRORS = (config.ConfigError, plugins.PluginError, UnknownComponentError,
               DatasetContractError, TrainingDivergedError, ValueError, OSError)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if FLAGS.cpu_devices > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * FLAGS.cpu_devices)
    keras.utils.set_random_seed(FLAGS.seed)
    deterministic = speed.resolve_determinism(FLAGS.deterministic)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    logging.info("Deterministic ops: %s", deterministic)
    strategy = strategies.make(FLAGS.strategy)
    logging.info("Strategy %s with %d replicas", type(strategy).__name__,
                 strategy.num_replicas_in_sync)
    try:
        plugins.load_all(FLAGS.plugin)
        config.parse(FLAGS.gin_file, FLAGS.gin_param)
        train_config = validation.train_config()  # every binding's type, train.* ranges
        # One writer per model dir; only the chief writes it (other workers: a scratch folder).
        chief = strategies.chief_and_task(strategy)[0]
        with lock.hold(FLAGS.model_dir, "--model_dir") if chief else contextlib.nullcontext(), \
                read_errors.naming_files():
            Trainer(train_config, FLAGS.model_dir, FLAGS.seed, strategy).train()
    except USER_ERRORS as e:
        logging.error("%s", e)
        print(f"simgan-train: error: {e}", file=sys.stderr)
        sys.exit(1)


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
