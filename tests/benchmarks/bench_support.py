"""Helpers of the training benchmarks: the sizes, a Trainer built from the paper's gin config,
the analytic FLOP count, the matmul peak, and side-by-side timing against the naive baseline."""

from __future__ import annotations

import dataclasses
import statistics
import time
from typing import Callable, Sequence

import gin
import keras
import tensorflow as tf

from simgan.configs import parsing
from simgan.core.engine.config import TrainConfig
from simgan.core.engine import speed
from simgan.core.engine.loop import Engine
from simgan.plugins import loading
from simgan.plugins.simgan import schedule

PAPER_CONFIG = "simgan/eyes_paper.gin"
IMAGE_SHAPE = (35, 55, 1)
# Batch sizes: a small CPU one, the paper's (appendix: 512), and two more for batch scaling.
SIZES = {"cpu": 32, "b128": 128, "paper": 512, "b2048": 2048}
KG, KD = 2, 1  # the paper's refiner / discriminator steps per iteration
PHASES = {"refiner": [schedule.REFINER], "discriminator": [schedule.DISCRIMINATOR],
          "iteration": [schedule.REFINER] * KG + [schedule.DISCRIMINATOR] * KD}


def has_gpu() -> bool:
    return bool(speed.gpus())


def precision_skip_reason(precision: str) -> str | None:
    """Why a precision is not benchmarked on this device (None: it is)."""
    if precision == "mixed_float16" and not has_gpu():
        return "mixed_float16 on CPU: float16 convolutions are emulated (slow, not a target)"
    return None


def build_trainer(model_dir: str, batch_size: int, jit_compile: bool, precision: str,
                  bindings: Sequence[str] = ()) -> Engine:
    """A Trainer from configs/simgan/eyes_paper.gin at ``batch_size``, fed by the eye simulator
    from a cached epoch of 2 batches (so the steps, not the rendering, are timed), with the
    history buffer already mixing (3 discriminator steps run here). ``bindings``: more gin."""
    loading.load_all()
    gin.clear_config()
    parsing.parse([PAPER_CONFIG], [
        f"train.batch_size = {batch_size}",
        f"train.jit_compile = {jit_compile}",
        f"train.mixed_precision = '{precision}'",
        f"eye_simulator.num_examples = {2 * batch_size}",
        "data.batched.cache = True",
        *bindings,
    ])
    keras.utils.set_random_seed(0)
    engine = Engine(TrainConfig(), model_dir, seed=0)
    gin.clear_config()
    engine.run_steps([schedule.DISCRIMINATOR] * 3)
    return engine


def conv_flops(model: keras.Model) -> int:
    """Forward FLOPs of one example through the conv and dense layers (2 per multiply-add);
    element-wise ops (bias, ReLU, add, pooling, loss) are left out: under 1% here."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, out_channels = layer.output.shape
            kh, kw = layer.kernel_size
            total += 2 * height * width * kh * kw * layer.input.shape[-1] * out_channels
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return total


def step_flops(phase: str, refiner: keras.Model, discriminator: keras.Model,
               batch_size: int) -> int:
    """Analytic FLOPs of a step: training a layer costs 3x its forward pass (forward, input
    gradient, weight gradient). Refiner step: train R, plus D forward and input gradient.
    Discriminator step: R forward, then train D on the real and on the refined batch."""
    r, d = conv_flops(refiner), conv_flops(discriminator)
    per_example = {"refiner": 3 * r + 2 * d, "discriminator": r + 2 * 3 * d}
    per_example["iteration"] = KG * per_example["refiner"] + KD * per_example["discriminator"]
    return batch_size * per_example[phase]


def matmul_peak(dtype: tf.DType = tf.float32, n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of the best of ``repeats`` n x n matmuls: the reachable peak of this device."""
    a = tf.random.normal([n, n], dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.reduce_sum(tf.cast(tf.matmul(x, x), tf.float32)))
    matmul(a).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best


@dataclasses.dataclass
class SideBySide:
    """Median seconds of the framework and of the naive alternative, rounds interleaved."""

    framework: float
    naive: float

    @property
    def speedup(self) -> float:
        return self.naive / self.framework


def side_by_side(benchmark, framework: Callable[[], object], naive: Callable[[], object],
                 rounds: int) -> SideBySide:
    """Times ``framework`` with pytest-benchmark and ``naive`` in the setup before each round,
    so both see the same machine load; one untimed warm-up call of each first."""
    framework()
    naive()
    naive_times = []

    def timed_naive():
        start = time.perf_counter()
        naive()
        naive_times.append(time.perf_counter() - start)

    benchmark.pedantic(framework, setup=timed_naive, rounds=rounds, iterations=1)
    stats = getattr(benchmark, "stats", None)
    framework_time = stats.stats.median if stats else float("nan")
    return SideBySide(framework_time, statistics.median(naive_times))

