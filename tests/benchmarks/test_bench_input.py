"""Images per second each input source delivers into the training step (batch 512, 35x55x1).

    python -m pytest tests/benchmarks/test_bench_input.py --benchmark-only \
        --benchmark-columns=median,rounds

Each round is one compiled call pulling ``BATCHES[source]`` batches the way `TrainingSteps`
does (``source.next()`` inside the tf.function) and reading every pixel (a sum), so the rate is
the most a step could consume from it. Sources: the eye simulator rendering live (both
domains) through the trainer's pipeline (`data.batched`); TFRecord shards written by
simgan-convert; an .npz array (`image_array`); and a device-resident pool (plugins/pool), drawn
with replacement or by epochs (``pool_epochs``), which must deliver at least 100,000 images/s (issue 13: an H100 paper-scale run draws about that).
"""

import numpy as np
import pytest
import tensorflow as tf

import bench_support
from simgan.core import data
from simgan.core.engine import sources
from simgan.core.registries import DATASETS
from simgan.plugins import loading
from simgan.plugins.pool import pool
from simgan.tools import converting

BATCH = 512
RECORDS = 4096  # TFRecord / .npz / pool elements
BATCHES = {"simulator_synthetic": 4, "simulator_real_like": 2, "tfrecord": 16, "npz": 16,
           "pool": 64, "pool_epochs": 64}
POOL_FLOOR = 100_000


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    loading.load_all()
    root = tmp_path_factory.mktemp("input")
    converting.convert("eye_simulator", str(root / "tfrecord"), seed=0, max_records=RECORDS,
                       records_per_shard=1024)
    rng = np.random.default_rng(0)
    np.savez(root / "images.npz",
             images=rng.integers(0, 256, (RECORDS, *bench_support.IMAGE_SHAPE[:2]), np.uint8))
    return root


def host_source(name: str, **kwargs) -> sources.HostBatches:
    # Batches of the image entry alone, as dicts like the engine's sources and the pool's.
    dataset = DATASETS.build(name, seed=0, **kwargs).map(
        lambda e: {data.IMAGE_KEY: e[data.IMAGE_KEY]})
    return sources.HostBatches(iter(data.batched(dataset, BATCH, seed=0)))


def make_source(name: str, root):
    if name.startswith("simulator_"):
        return host_source("eye_simulator", domain=name[len("simulator_"):])
    if name == "tfrecord":
        return host_source("tfrecord", path=str(root / "tfrecord"))
    if name == "npz":
        return host_source("image_array", path=str(root / "images.npz"))
    dataset = pool.pool(seed=0, dataset="eye_simulator", size=RECORDS,
                        replacement=name == "pool", cache_dir=str(root / "cache"))
    return pool.pool_batches(dataset, BATCH, 0, tf.distribute.OneDeviceStrategy("/cpu:0"))


@pytest.mark.parametrize("name", list(BATCHES))
def test_images_per_second_into_the_step(benchmark, record, files, name):
    source = make_source(name, files)
    source.prime()
    count = BATCHES[name]

    @tf.function
    def pull():
        total = tf.constant(0.0)
        for _ in range(count):
            total += tf.reduce_sum(source.next()[data.IMAGE_KEY])
        return total

    result = benchmark.pedantic(pull, rounds=5 if count > 4 else 3, iterations=1,
                                warmup_rounds=1)
    assert np.isfinite(result.numpy())
    seconds = benchmark.stats.stats.median / count
    record(seconds=seconds, images_per_second=BATCH / seconds)
    if name.startswith("pool"):
        assert BATCH / seconds >= POOL_FLOOR, f"pool delivers {BATCH / seconds:.0f} images/s"
