"""Speed options of the trainer: XLA compilation, mixed precision, device prefetching and op
determinism, resolved per device."""

from __future__ import annotations

import contextlib
from typing import Iterator

import keras
import tensorflow as tf

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def _gpus() -> list:
    return tf.config.list_physical_devices("GPU")


def resolve_jit(jit_compile: bool | None) -> bool:
    """None -> XLA on GPUs (fused kernels pay off there), off on CPU."""
    return bool(_gpus()) if jit_compile is None else bool(jit_compile)


def resolve_precision(precision: str | None) -> str:
    """None -> 'mixed_bfloat16' on GPUs of compute capability >= 8 (no loss scaling needed),
    else 'float32'. A named precision is checked."""
    if precision is None:
        gpus = _gpus()
        capability = tf.config.experimental.get_device_details(gpus[0]).get(
            "compute_capability", (0, 0)) if gpus else (0, 0)
        return "mixed_bfloat16" if capability >= (8, 0) else "float32"
    if precision not in PRECISIONS:
        raise ValueError(f"train.mixed_precision: expected None or one of {PRECISIONS}, "
                         f"got {precision!r}")
    return precision


@contextlib.contextmanager
def dtype_policy(precision: str) -> Iterator[None]:
    """Keras layers built inside use ``precision``; the global policy is restored after."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def resolve_prefetch(prefetch_to_device: bool | None, strategy: tf.distribute.Strategy) -> bool:
    """None -> stage batches on the device when it is one GPU (on a CPU it is a copy for
    nothing)."""
    if prefetch_to_device is None:
        return bool(_gpus()) and strategy.num_replicas_in_sync == 1
    return bool(prefetch_to_device)


def resolve_determinism(deterministic: bool | None) -> bool:
    """None -> deterministic ops without a GPU (free on CPU), not with one (deterministic GPU
    kernels are slower, and ops without one raise UnimplementedError)."""
    return not _gpus() if deterministic is None else bool(deterministic)


def prepare_process(seed: int, deterministic: bool | None, cpu_devices: int = 1) -> bool:
    """What a run sets for the whole process before anything is built: ``cpu_devices`` logical
    CPUs (to mirror over one machine's CPU), op determinism, and ``seed`` for Python, NumPy and
    TensorFlow. Returns whether ops are deterministic."""
    if cpu_devices > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        if len(tf.config.get_logical_device_configuration(cpu) or [None]) != cpu_devices:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_devices)
    deterministic = resolve_determinism(deterministic)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    return deterministic
