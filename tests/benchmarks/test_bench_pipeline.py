"""The input pipeline (eye simulator) and the history buffer update.

    python -m pytest tests/benchmarks/test_bench_pipeline.py --benchmark-only \
        --benchmark-columns=median,rounds [--simgan-sizes=cpu,paper]

Pipeline: batches of the registered `eye_simulator` through `data.batched` (the trainer's
pipeline), in both domains; images/s is the rate a training step can be fed at. Buffer: one
`HistoryBuffer.sample_and_update` of a full buffer (100 batches, the steady state) as a
tf.function (XLA on/off), interleaved with the NumPy buffer of the naive baseline.
"""

import time

import numpy as np
import pytest
import tensorflow as tf

import bench_support
from naive_baseline import ImageHistoryBuffer
from simgan.core import data
from simgan.core.registries import BUFFERS, DATASETS
from simgan.plugins import loading

CAPACITY_BATCHES = 100
SIZE_NAMES = list(bench_support.SIZES)


@pytest.mark.parametrize("size", SIZE_NAMES, indirect=True)
@pytest.mark.parametrize("domain", ["synthetic", "real_like"])
def test_input_pipeline(benchmark, record, size, domain):
    loading.load_all()
    dataset = DATASETS.build("eye_simulator", seed=0, domain=domain)
    batches = iter(data.batched(dataset.map(lambda e: e[data.IMAGE_KEY]), size, seed=0))
    next(batches)  # start the pipeline (threads, autotuning)
    count = 10 if size <= 32 else 3
    start = time.perf_counter()
    benchmark.pedantic(lambda: next(batches), rounds=count, iterations=1)
    seconds = benchmark.stats.stats.median if getattr(benchmark, "stats", None) else (
        (time.perf_counter() - start) / count)
    assert next(batches).shape == (size, *bench_support.IMAGE_SHAPE)
    record(seconds=seconds, images_per_second=size / seconds)


@pytest.mark.parametrize("size", SIZE_NAMES, indirect=True)
@pytest.mark.parametrize("jit", [False, True], ids=["noxla", "xla"])
def test_history_buffer(benchmark, record, size, jit):
    loading.load_all()
    buffer = BUFFERS.build("history", image_shape=bench_support.IMAGE_SHAPE, batch_size=size,
                           seed=0, capacity_batches=CAPACITY_BATCHES)
    buffer.size.assign(buffer.capacity)  # full: sample half, replace at random slots
    update = tf.function(buffer.sample_and_update, jit_compile=jit)
    refined = tf.random.uniform([size, *bench_support.IMAGE_SHAPE], -1, 1)
    naive = ImageHistoryBuffer(bench_support.IMAGE_SHAPE, CAPACITY_BATCHES * size, size)
    naive.buffer = np.zeros((naive.capacity, *bench_support.IMAGE_SHAPE), np.float32)
    refined_host = refined.numpy()

    result = bench_support.side_by_side(benchmark, lambda: update(refined).numpy(),
                                        lambda: naive.sample_and_update(refined_host),
                                        20 if size <= 32 else 10)
    assert update(refined).shape == refined.shape
    record(seconds=result.framework, other_seconds=result.naive, speedup=result.speedup)
