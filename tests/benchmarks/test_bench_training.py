"""Training steps of the framework against the naive Keras baseline, measured side by side.

    python -m pytest tests/benchmarks/test_bench_training.py --benchmark-only \
        --benchmark-columns=median,rounds [--simgan-sizes=cpu,paper]

Each case builds a Trainer from configs/simgan/eyes_paper.gin at the size's batch with the
given XLA / precision options, and times one call of ``Trainer.run_steps``: a refiner step, a
discriminator step (refiner forward, history buffer, discriminator update) or a full iteration
(Kg = 2 refiner + Kd = 1 discriminator steps fused in one call), interleaved round by round
with the same work done by naive_baseline.NaiveSimGAN (float32, no XLA, as those
implementations). FLOPs are counted analytically from the conv layers (bench_support.step_flops).
"""

import numpy as np
import pytest

import bench_support
from naive_baseline import NaiveSimGAN

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
# Ordered so consecutive cases share a Trainer: size, then options, then the phase.
CASES = [pytest.param(size, jit, precision, phase,
                      id=f"{size}-{'xla' if jit else 'noxla'}-{precision}-{phase}")
         for size in bench_support.SIZES for precision in PRECISIONS for jit in (False, True)
         for phase in bench_support.PHASES]


@pytest.fixture(scope="module")
def trainers(tmp_path_factory):
    """Builds Trainers, keeping only the last one (a paper-size buffer holds 400 MB)."""
    cache = {}

    def get(batch_size: int, jit: bool, precision: str):
        key = (batch_size, jit, precision)
        if key not in cache:
            cache.clear()
            cache[key] = bench_support.build_trainer(str(tmp_path_factory.mktemp("run")),
                                                     batch_size, jit, precision)
        return cache[key]

    return get


@pytest.fixture(scope="module")
def naive_models():
    cache = {}

    def get(batch_size: int) -> NaiveSimGAN:
        if batch_size not in cache:
            cache[batch_size] = NaiveSimGAN(bench_support.IMAGE_SHAPE, batch_size)
        return cache[batch_size]

    return get


def _rounds(batch_size: int) -> int:
    if bench_support.has_gpu():
        return 20
    return 3 if batch_size <= 32 else 2


@pytest.mark.parametrize("size,jit,precision,phase", CASES, indirect=["size"])
def test_training_step(benchmark, record, peaks, trainers, naive_models, size, jit, precision,
                       phase):
    reason = bench_support.precision_skip_reason(precision)
    if reason:
        pytest.skip(reason)
    trainer = trainers(size, jit, precision)
    naive = naive_models(size)
    synthetic = next(trainer.sources["synthetic"].iterator)["image"].numpy()
    real = next(trainer.sources["real"].iterator)["image"].numpy()
    naive_steps = {"refiner": [naive.refiner_step],
                   "discriminator": [naive.discriminator_step],
                   "iteration": [naive.refiner_step] * bench_support.KG
                   + [naive.discriminator_step] * bench_support.KD}[phase]
    start = int(trainer.step.numpy())

    result = bench_support.side_by_side(
        benchmark, lambda: trainer.run_steps(bench_support.PHASES[phase]),
        lambda: [step(synthetic, real) for step in naive_steps], _rounds(size))

    calls = int(trainer.step.numpy()) - start
    assert calls % len(bench_support.PHASES[phase]) == 0 and calls > 0
    assert all(np.isfinite(v) for v in trainer.values().values())
    flops = bench_support.step_flops(phase, trainer.task.generator, trainer.task.critic, size)
    peak = peaks(precision)
    record(seconds=result.framework, other_seconds=result.naive, speedup=result.speedup,
           flops=flops, flops_per_second=flops / result.framework,
           fraction_of_peak=flops / result.framework / peak,
           naive_flops_per_second=flops / result.naive, peak_flops_per_second=peak)
