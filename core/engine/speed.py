"""Speed options of the trainer: XLA compilation, mixed precision and device prefetching,
resolved per device (op determinism is the process's: tools/process.py)."""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable, Iterator

import keras
import tensorflow as tf
from absl import logging

from simgan.io import cpu_features

PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


def gpus() -> list:
    """The GPUs TensorFlow sees: every per-device default here and in tools/process.py."""
    return tf.config.list_physical_devices("GPU")


def resolve_jit(jit_compile: bool | None) -> bool:
    """None -> XLA on GPUs (fused kernels pay off there), off on CPU."""
    return bool(gpus()) if jit_compile is None else bool(jit_compile)


_XLA_TRACE = contextvars.ContextVar("simgan_xla_trace", default=False)


def compile_step(fn: Callable[..., Any], jit_compile: bool) -> Callable[..., Any]:
    """``tf.function(fn, jit_compile=jit_compile)``; while an XLA-compiled one traces,
    `tracing_for_xla` is True, so a component whose op has no XLA kernel (a custom op) can take
    its fallback there: TensorFlow has no public way to ask."""
    if not jit_compile:
        return tf.function(fn)

    def traced(*args, **kwargs):
        token = _XLA_TRACE.set(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _XLA_TRACE.reset(token)

    return tf.function(traced, jit_compile=True)


def tracing_for_xla() -> bool:
    """True while a step `compile_step` compiles with XLA is being traced."""
    return _XLA_TRACE.get()


def _native_bfloat16() -> bool:
    """A GPU of compute capability >= 8, or a CPU with AVX512_BF16 or AMX (io/cpu_features)."""
    found = gpus()
    return (tf.config.experimental.get_device_details(found[0]).get("compute_capability", (0, 0))
            >= (8, 0)) if found else cpu_features.native_bfloat16()


def resolve_precision(precision: str | None) -> str:
    """None -> 'mixed_bfloat16' on GPUs where it is native (no loss scaling needed), else
    'float32'; 'auto' -> 'mixed_bfloat16' wherever it is native, CPUs included, else 'float32'
    (emulated, it is slower). A named precision is kept, with a warning where it is emulated."""
    if precision not in (None,) + PRECISIONS:
        raise ValueError(f"train.mixed_precision: expected None or one of {PRECISIONS}, "
                         f"got {precision!r}")
    if precision in (None, "auto"):
        return "mixed_bfloat16" if (precision or gpus()) and _native_bfloat16() else "float32"
    if precision == "mixed_bfloat16" and not _native_bfloat16():
        logging.warning("train.mixed_precision = 'mixed_bfloat16': this device emulates "
                        "bfloat16 (no AVX512_BF16/AMX), several times slower than float32 "
                        "(docs/PERFORMANCE.md); 'auto' picks float32 here")
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
    """None -> stage batches on the device when it is one GPU (on a CPU: a copy for nothing)."""
    if prefetch_to_device is None:
        return bool(gpus()) and strategy.num_replicas_in_sync == 1
    return bool(prefetch_to_device)
