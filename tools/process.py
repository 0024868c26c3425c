"""What simgan-train and `simgan.train` set for the whole process before a run builds anything:
process-wide TensorFlow state (logical devices, op determinism, seeds) and the distribution
strategy are the command's to choose, not the engine's."""

from __future__ import annotations

import keras
import tensorflow as tf

from simgan.core.engine import speed
from simgan.core.engine.config import TrainConfig

STRATEGIES = ("default", "mirrored", "multi_worker")


def strategy(name: str) -> tf.distribute.Strategy:
    """'default': one device (the first GPU if any, else the CPU); 'mirrored': all local
    devices of this machine; 'multi_worker': all devices of the workers named in TF_CONFIG
    (every worker runs the same command)."""
    if name == "default":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"--strategy: expected one of {', '.join(STRATEGIES)}, got {name!r}")


def resolve_determinism(deterministic: bool | None, jit_compile: bool = False) -> bool:
    """None -> deterministic ops on a CPU without XLA (free there); not on a GPU (slower kernels,
    and ops without one raise UnimplementedError) nor under XLA (no deterministic max-pool
    gradient, which the paper's discriminator takes), where True is refused in one line."""
    if deterministic and jit_compile:
        raise ValueError("train.deterministic: True cannot be kept with train.jit_compile = "
                         "True (XLA has no deterministic max-pool gradient); set one to False")
    return not (speed.gpus() or jit_compile) if deterministic is None else bool(deterministic)


def prepare(seed: int, config: TrainConfig) -> bool:
    """``config.cpu_devices`` logical CPUs (to mirror over one machine's CPU), op determinism
    (`resolve_determinism` under the run's resolved XLA setting), and ``seed`` for Python,
    NumPy and TensorFlow. Returns whether ops are deterministic."""
    if config.cpu_devices > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        if len(tf.config.get_logical_device_configuration(cpu) or [None]) != config.cpu_devices:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * config.cpu_devices)
    deterministic = resolve_determinism(config.deterministic, speed.resolve_jit(config.jit_compile))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    return deterministic
