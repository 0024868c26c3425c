"""Helpers to run `simgan-train` on the tiny toy dataset: as a subprocess (what a user runs), or
in this process through `simgan.train` (the same run without ten seconds of interpreter and
TensorFlow start-up) where the test is about training, not the command."""

from __future__ import annotations

import os
import subprocess
import sys

import simgan

TESTS = os.path.dirname(os.path.abspath(__file__))
TOY_PLUGIN = os.path.join(TESTS, "toy_data.py")

TOY_CONFIG = """
train.synthetic_dataset = 'toy_squares'
train.real_dataset = 'toy_squares'
real/toy_squares.domain = 'real'
train.batch_size = 8
simgan.refiner_pretrain_steps = 4
simgan.discriminator_pretrain_steps = 2
simgan.iterations = 4
train.summary_every = 2
train.image_every = 6
train.checkpoint_every = 5
history.capacity_batches = 2
resnet.filters = 8
resnet.num_blocks = 1
"""


def write_config(tmp_path, text: str = TOY_CONFIG, name: str = "toy.gin") -> str:
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def train_command(model_dir, gin_file, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simgan.tools.train", f"--model_dir={model_dir}",
            f"--gin_file={gin_file}", f"--plugin={TOY_PLUGIN}", *extra]


def run_train(model_dir, gin_file, *extra: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(train_command(model_dir, gin_file, *extra), capture_output=True,
                          text=True, timeout=300, env=env)


def train_here(model_dir, gin_files, *bindings: str, seed: int = 0,
               plugins: tuple[str, ...] = ()) -> dict[str, float]:
    """`run_train`'s run in this process (simgan.train): raises what the command reports. The
    toy plugin by module name: a test of this worker may have imported `toy_data` already."""
    return simgan.train(gin_files, list(bindings), model_dir=str(model_dir), seed=seed,
                        plugins=["toy_data", *plugins])


def train_engine(model_dir, config: str, seed: int = 3):
    """Trains ``config`` (gin text) in this process on one CPU device, seeded; returns the
    engine, for tests that read its task's models and metrics after the run."""
    import gin
    import keras
    import tensorflow as tf
    from simgan.core.engine.config import TrainConfig
    from simgan.core.engine.loop import Engine

    gin.clear_config()
    gin.parse_config(config)
    keras.utils.set_random_seed(seed)
    engine = Engine(TrainConfig(), str(model_dir), seed, tf.distribute.OneDeviceStrategy("/cpu:0"))
    engine.train()
    return engine


def logged(model_dir, tag: str) -> list[tuple[int, float]]:
    """``[(step, value)]`` of a scalar in a run's TensorBoard events (empty if never logged)."""
    from simgan.tools.ablate.summary import read_series

    return [(step, value) for step, _, value in read_series(str(model_dir)).get(tag, [])]
