"""What simgan-train and `simgan.train` set for the whole process before a run builds anything:
process-wide TensorFlow state is the command's to set, not the engine's."""

from __future__ import annotations

import keras
import tensorflow as tf

from simgan.core.engine import speed
from simgan.core.engine.config import TrainConfig


def prepare(seed: int, config: TrainConfig) -> bool:
    """``config.cpu_devices`` logical CPUs (to mirror over one machine's CPU), op determinism
    (`speed.resolve_determinism` under the run's resolved XLA setting), and ``seed`` for
    Python, NumPy and TensorFlow. Returns whether ops are deterministic."""
    if config.cpu_devices > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        if len(tf.config.get_logical_device_configuration(cpu) or [None]) != config.cpu_devices:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * config.cpu_devices)
    deterministic = speed.resolve_determinism(config.deterministic,
                                              speed.resolve_jit(config.jit_compile))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    return deterministic
