"""The converter: shards + manifest, read back by the tfrecord dataset, resume, verification."""

import json
import logging
import os
import subprocess
import sys

import eyes_data
import gin
import numpy as np
import pytest

import simgan.plugins.eyes  # noqa: F401  (registers the readers)
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records
from simgan.tools import converting


def _all(dataset):
    return list(dataset.as_numpy_iterator())


@pytest.fixture
def npz(tmp_path):
    path = str(tmp_path / "real.npz")
    images = np.random.default_rng(0).integers(0, 256, (25, 36, 60), dtype=np.uint8)
    np.savez(path, images=images)
    gin.bind_parameter("image_array.path", path)
    gin.bind_parameter("image_array.shuffle", False)
    return path


def _shards(directory):
    return sorted(f for f in os.listdir(directory) if f.startswith("shard-"))


def test_round_trip_through_shards(npz, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="absl")
    out = str(tmp_path / "out")
    manifest = converting.convert("image_array", out, records_per_shard=10, progress_seconds=0)
    assert manifest["complete"] and manifest["records"] == 25
    assert [s["records"] for s in manifest["shards"]] == [10, 10, 5] and len(_shards(out)) == 3
    assert json.load(open(os.path.join(out, "manifest.json"))) == manifest
    assert "convert: 25/25 records (100.0%)" in caplog.text
    assert "Verified 25 records in 3 shards" in caplog.text
    source = _all(DATASETS.build("image_array", seed=0))
    converted = _all(DATASETS.build("tfrecord", seed=0, path=out, shuffle=False))
    assert len(converted) == 25
    # shards are interleaved when read back: compare as sets of images
    key = lambda e: e["image"].tobytes()  # noqa: E731
    assert sorted(map(key, source)) == sorted(map(key, converted))


def test_labels_survive_conversion(tmp_path):
    path = str(tmp_path / "gaze.h5")
    eyes_data.write_kaggle_gaze(path, 7)
    gin.bind_parameter("hdf5_gaze.path", path)
    out = str(tmp_path / "out")
    converting.convert("hdf5_gaze", out, records_per_shard=100)
    source = {e["image"].tobytes(): e["gaze"] for e in _all(DATASETS.build("hdf5_gaze", seed=0))}
    for element in _all(DATASETS.build("tfrecord", seed=0, path=out)):
        np.testing.assert_allclose(element["gaze"], source[element["image"].tobytes()])


def test_interrupted_conversion_resumes_to_the_same_shards(npz, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="absl")
    fresh = str(tmp_path / "fresh")
    converting.convert("image_array", fresh, records_per_shard=10)
    out = str(tmp_path / "out")
    finish = converting._finish_shard

    def crash_after_two(output_dir, manifest, *args):
        if len(manifest["shards"]) == 2:
            raise KeyboardInterrupt
        finish(output_dir, manifest, *args)

    monkeypatch.setattr(converting, "_finish_shard", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        converting.convert("image_array", out, records_per_shard=10)
    partial = json.load(open(os.path.join(out, "manifest.json")))
    assert not partial["complete"] and len(partial["shards"]) == 2
    with pytest.raises(records.BadRecordError, match="complete: expected a finished conversion"):
        DATASETS.build("tfrecord", seed=0, path=out)
    monkeypatch.setattr(converting, "_finish_shard", finish)
    manifest = converting.convert("image_array", out, records_per_shard=10)
    assert "Resuming after 2 shards (20 records)" in caplog.text
    assert manifest["shards"] == json.load(open(os.path.join(fresh, "manifest.json")))["shards"]


def test_damaged_shard_is_rewritten_on_resume_and_caught_by_verify(npz, tmp_path, caplog):
    out = str(tmp_path / "out")
    manifest = converting.convert("image_array", out, records_per_shard=10)
    shard = os.path.join(out, manifest["shards"][1]["file"])
    content = bytearray(open(shard, "rb").read())
    content[100] ^= 0xFF
    open(shard, "wb").write(bytes(content))
    with pytest.raises(converting.ConversionError, match="shard-00001.tfrecord: SHA-256 differs"):
        converting.verify(out, manifest)
    again = converting.convert("image_array", out, records_per_shard=10)
    assert "shard-00001.tfrecord is missing or damaged" in caplog.text
    assert again["shards"] == manifest["shards"]
    os.remove(shard)
    with pytest.raises(records.BadRecordError, match="shards: expected the 3 shards listed in "
                       "manifest.json, got 1 missing \\(shard-00001.tfrecord\\); run "
                       "simgan-convert"):
        DATASETS.build("tfrecord", seed=0, path=out)


def test_refuses_to_mix_conversions(npz, tmp_path):
    out = str(tmp_path / "out")
    converting.convert("image_array", out, records_per_shard=10)
    gin.bind_parameter("image_array.fit", "resize")
    with pytest.raises(converting.ConversionError, match="other arguments or gin bindings"):
        converting.convert("image_array", out, records_per_shard=10)


def test_not_a_converted_folder(tmp_path):
    with pytest.raises(records.BadRecordError, match="tfrecord.path: expected a folder written by"):
        DATASETS.build("tfrecord", seed=0, path=str(tmp_path))
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(records.BadRecordError, match=r"manifest.json: \(file\): expected a JSON"):
        DATASETS.build("tfrecord", seed=0, path=str(tmp_path))


def test_command_line(tmp_path):
    if not os.path.exists(eyes_data.MPIIGAZE_REAL):
        pytest.skip(f"{eyes_data.MPIIGAZE_REAL} is absent")
    out = str(tmp_path / "out")
    result = subprocess.run(
        [sys.executable, "-m", "simgan.tools.convert", "--source=image_array",
         f"--output_dir={out}",
         f"--gin_param=image_array.path='{eyes_data.MPIIGAZE_REAL}'", "--max_records=300",
         "--records_per_shard=128", "--scope=real"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "convert: 300/300 records (100.0%)" in result.stderr
    assert json.load(open(os.path.join(out, "manifest.json")))["records"] == 300
