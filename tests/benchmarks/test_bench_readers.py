"""Images per second of every reader and of the converted TFRecord format (pytest-benchmark).

    python -m pytest tests/benchmarks/test_bench_readers.py --benchmark-only \
        --benchmark-columns=mean,rounds -p no:randomly

Each benchmark reads ``IMAGES`` records (the dataset repeated; built once, outside the timing)
in batches of 256; ``images_per_second`` in each result's extra_info is records / mean round
time. The files are small synthetic ones in the real layouts (see ``COUNTS``).
"""

import os
import sys

import h5py
import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import eyes_data  # noqa: E402

import simgan.plugins.eyes  # noqa: E402,F401
from simgan.core.registries import DATASETS  # noqa: E402
from simgan.tools import converting  # noqa: E402
import gin  # noqa: E402

IMAGES = 20000
COUNTS = {"unityeyes": 500, "mpiigaze": 4000, "hdf5_gaze": 4000, "hdf5": 20000,
          "image_folder": 2000, "image_array": 2400}


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """name -> build kwargs, for files written once per session."""
    root = tmp_path_factory.mktemp("bench")
    eyes_data.write_unityeyes(str(root / "unityeyes"), COUNTS["unityeyes"])
    eyes_data.write_mpiigaze(str(root / "mpiigaze"), {0: COUNTS["mpiigaze"] // 2})
    eyes_data.write_kaggle_gaze(str(root / "gaze.h5"), COUNTS["hdf5_gaze"])
    rng = np.random.default_rng(0)
    with h5py.File(root / "generic.h5", "w") as f:
        f["images"] = rng.integers(0, 256, (COUNTS["hdf5"], 36, 60), dtype=np.uint8)
        f["gaze"] = np.tile([0.0, 0.0, -1.0], (COUNTS["hdf5"], 1))
    os.makedirs(root / "folder")
    for i in range(COUNTS["image_folder"]):
        image = rng.integers(0, 256, (36, 60), dtype=np.uint8)
        Image.fromarray(image).save(root / "folder" / f"{i}.png")
    array = eyes_data.MPIIGAZE_REAL
    if not os.path.exists(array):
        array = str(root / "real.npz")
        np.savez(array, images=rng.integers(0, 256, (2400, 36, 60), dtype=np.uint8))
    return {"unityeyes": {"path": str(root / "unityeyes")},
            "mpiigaze": {"path": str(root / "mpiigaze")},
            "hdf5_gaze": {"path": str(root / "gaze.h5")},
            "hdf5": {"path": str(root / "generic.h5")},
            "image_folder": {"path": str(root / "folder"), "fit": "crop"},
            "image_array": {"path": array}}


def _measure(benchmark, dataset):
    batches = dataset.repeat().take(IMAGES).batch(256).prefetch(2)

    def run():
        return sum(len(b["image"]) for b in batches.as_numpy_iterator())

    count = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["images_per_second"] = round(count / benchmark.stats.stats.mean)
    return count


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_reader(benchmark, sources, name):
    dataset = DATASETS.build(name, seed=0, **sources[name])
    assert int(dataset.cardinality()) in (COUNTS[name], -2)  # -2: unknown (file readers)
    assert _measure(benchmark, dataset) == IMAGES


@pytest.mark.parametrize("name", ["unityeyes", "image_folder"])
def test_converted(benchmark, sources, tmp_path, name):
    for key, value in sources[name].items():
        gin.bind_parameter(f"{name}.{key}", value)
    converting.convert(name, str(tmp_path / name), records_per_shard=1000)
    dataset = DATASETS.build("tfrecord", seed=0, path=str(tmp_path / name))
    assert int(dataset.cardinality()) == COUNTS[name]
    assert _measure(benchmark, dataset) == IMAGES
