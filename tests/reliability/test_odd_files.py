"""Unusual data files are refused when the dataset is built, in one line naming the file and the
field: a MATLAB cell array where MPIIGaze has a matrix, a UnityEyes JSON whose landmarks have
collapsed, an HDF5 file without images, a crop larger than the images, a TFRecord manifest whose
shards are missing; and file names that are not UTF-8 are read, and named with \\xNN escapes."""

import json
import os
import subprocess
import sys

import eyes_data
import gin
import h5py
import numpy as np
import pytest
from PIL import Image

import simgan.plugins.eyes  # noqa: F401  (registers the readers)
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records
from simgan.tools import converting


def _one_line(error):
    message = str(error.value).split("\n  In call to configurable")[0]  # gin's note
    assert "\n" not in message
    return message


@pytest.mark.parametrize("v73", [False, True])
def test_a_matlab_cell_array_is_named_with_the_file_and_field(tmp_path, v73):
    left, right = eyes_data.mpiigaze_eye(3, 0), eyes_data.mpiigaze_eye(3, 1)
    path = str(tmp_path / "Data" / "Normalized" / "p00" / "day01.mat")
    if v73:  # a cell array in a v7.3 file is a dataset of object references
        eyes_data.write_mpiigaze_mat(path, left, right, v73=True)
        with h5py.File(path, "r+") as f:
            del f["data/left/pose"]
            refs = f.create_dataset("data/left/pose", (3, 3), dtype=h5py.ref_dtype)
            refs[0, 0] = f["data/left/gaze"].ref
    else:  # loadmat gives a cell array as an object array of 1x1 matrices
        cell = np.empty((3, 3), dtype=object)
        for index in np.ndindex(3, 3):
            cell[index] = np.array([[0.1]])
        left["pose"] = cell
        eyes_data.write_mpiigaze_mat(path, left, right)
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("mpiigaze", seed=0, path=str(tmp_path))
    assert _one_line(error) == (f"{path}: data.left.pose: expected a numeric matrix, got a "
                                "MATLAB cell array of shape (3, 3)")


def test_a_unityeyes_json_with_collapsed_landmarks_is_refused(tmp_path):
    eyes_data.write_unityeyes(str(tmp_path), 2)
    meta = json.loads((tmp_path / "2.json").read_text())
    meta["interior_margin_2d"] = ["(320.0, 150.0, 9.0)"] * 16  # every point in one place
    meta["caruncle_2d"] = ["(320.2, 150.0, 9.0)"] * 7
    (tmp_path / "2.json").write_text(json.dumps(meta))
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path))
    assert _one_line(error).startswith(
        f"{tmp_path / '2.json'}: interior_margin_2d, caruncle_2d: expected eye landmarks spanning "
        "an eye at least 1 pixel wide (caruncle to outer corner), got an eye 0.2 pixels wide "
        "(collapsed landmarks)")
    kept = DATASETS.build("unityeyes", seed=0, path=str(tmp_path), skip_bad_records=True)
    assert len(list(kept.as_numpy_iterator())) == 1


NOT_UTF8 = os.fsdecode(b"caf\xe9")  # as os.listdir returns a Latin-1 name on a UTF-8 system


def test_image_folder_reads_and_names_files_whose_names_are_not_utf8(tmp_path):
    for name in ("a", NOT_UTF8):
        Image.fromarray(np.full((40, 60), 200, np.uint8)).save(tmp_path / f"{name}.png")
    images = list(DATASETS.build("image_folder", seed=0, path=str(tmp_path)).as_numpy_iterator())
    assert len(images) == 2
    (tmp_path / f"{NOT_UTF8}.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("image_folder", seed=0, path=str(tmp_path))
    assert _one_line(error).startswith(f"{tmp_path}/caf\\xe9.png: image: expected a complete")


def test_unityeyes_reads_renders_whose_names_are_not_utf8(tmp_path):
    eyes_data.write_unityeyes(str(tmp_path), 2)
    for suffix in (".json", ".jpg"):
        os.rename(tmp_path / f"2{suffix}", tmp_path / f"{NOT_UTF8}{suffix}")
    elements = list(DATASETS.build("unityeyes", seed=0, path=str(tmp_path)).as_numpy_iterator())
    assert len(elements) == 2


@pytest.mark.parametrize("source, field", [("hdf5", "images"), ("hdf5_gaze", "image")])
def test_an_hdf5_file_without_images_is_named(tmp_path, source, field):
    path = str(tmp_path / "empty.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset(field, data=np.zeros((0, 36, 60), np.uint8))
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build(source, seed=0, path=path)
    assert _one_line(error) == (f"{path}: {field}: expected at least one image, got none "
                                "(shape (0, 36, 60))")


def test_a_crop_larger_than_the_images_fails_when_built_naming_the_file(tmp_path):
    Image.fromarray(np.zeros((40, 60), np.uint8)).save(tmp_path / "small.png")
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("image_folder", seed=0, path=str(tmp_path), fit="crop", height=48)
    assert _one_line(error).startswith(
        f"{tmp_path / 'small.png'}: image: expected an image of at least 48x55 to centre-crop (or "
        "set image_folder.fit = 'resize'), got 40x60")


@pytest.fixture
def converted(tmp_path):
    source = str(tmp_path / "images.npy")
    np.save(source, np.random.default_rng(0).integers(0, 256, (30, 36, 60), dtype=np.uint8))
    gin.bind_parameter("image_array.path", source)
    out = tmp_path / "converted"
    converting.convert("image_array", str(out), records_per_shard=10)
    return out


def test_a_manifest_whose_shards_are_missing_is_one_line(converted):
    for name in ("shard-00000.tfrecord", "shard-00002.tfrecord"):
        os.remove(converted / name)
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("tfrecord", seed=0, path=str(converted))
    assert _one_line(error) == (
        f"{converted}: shards: expected the 3 shards listed in manifest.json, got 2 missing "
        "(shard-00000.tfrecord, shard-00002.tfrecord); run simgan-convert again with the same "
        "arguments and --output_dir to rewrite them")


@pytest.mark.parametrize("shards, expected", [
    ([], "shards: expected at least one shard, got none"),
    (None, "shards: expected a list of {file, records, bytes, sha256} entries, got None"),
    ([{"file": "shard-00000.tfrecord"}], "shards: expected a list of {file, records, bytes, "
                                         "sha256} entries, got [{'file'"),
])
def test_a_manifest_without_its_shard_list_is_one_line(converted, shards, expected):
    manifest = json.loads((converted / "manifest.json").read_text())
    if shards is None:
        del manifest["shards"]
    else:
        manifest["shards"] = shards
    (converted / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("tfrecord", seed=0, path=str(converted))
    assert _one_line(error).startswith(f"{converted / 'manifest.json'}: {expected}")


def test_reading_a_manifest_whose_shards_are_missing_is_one_line(converted, tmp_path):
    os.remove(converted / "shard-00001.tfrecord")
    result = subprocess.run([sys.executable, "-m", "simgan.tools.convert", "--source=tfrecord",
                             f"--gin_param=tfrecord.path = '{converted}'",
                             f"--output_dir={tmp_path / 'again'}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.splitlines()[-1] == (
        f"simgan-convert: error: {converted}: shards: expected the 3 shards listed in "
        "manifest.json, got 1 missing (shard-00001.tfrecord); run simgan-convert again with the "
        "same arguments and --output_dir to rewrite them (in gin configurable 'tfrecord')")
