"""Damaged data names the file: a corrupt TFRecord shard (folder, shard, and simgan-convert as
the remedy), a corrupt PNG, arrays saved under the wrong suffix, a directory given as a file."""

import os

import gin
import numpy as np
import pytest
from PIL import Image

import simgan.plugins.eyes  # noqa: F401  (registers the readers)
from simgan.core.registries import DATASETS
from simgan.io import read_errors
from simgan.plugins.eyes import records
from simgan.tools import converting


def _read_all(dataset):
    with read_errors.naming_files():
        return list(dataset.as_numpy_iterator())


@pytest.fixture
def converted(tmp_path):
    """A converted folder of 40 random 36x60 images in two shards."""
    path = str(tmp_path / "images.npy")
    np.save(path, np.random.default_rng(0).integers(0, 256, (40, 36, 60), dtype=np.uint8))
    gin.bind_parameter("image_array.path", path)
    out = str(tmp_path / "converted")
    converting.convert("image_array", out, records_per_shard=20)
    return out


def _flip_byte(path, offset):
    raw = bytearray(open(path, "rb").read())
    raw[offset] ^= 0xFF
    open(path, "wb").write(bytes(raw))


def test_corrupt_shard_names_folder_and_shard_and_conversion_repairs_it(converted):
    shard = os.path.join(converted, converting.shard_name(1))
    _flip_byte(shard, os.path.getsize(shard) // 2)
    expected = f"{converted}: shard shard-00001.tfrecord is corrupt"
    with pytest.raises(read_errors.DataReadError, match=expected) as error:
        _read_all(DATASETS.build("tfrecord", seed=0, path=converted))
    assert "simgan-convert again" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(records.BadRecordError, match=expected):  # verify on open
        DATASETS.build("tfrecord", seed=0, path=converted, verify=True)
    converting.convert("image_array", converted, records_per_shard=20)  # rewrites the bad shard
    assert len(_read_all(DATASETS.build("tfrecord", seed=0, path=converted, verify=True))) == 40


def test_png_with_corrupt_data_names_the_file(tmp_path):
    rng = np.random.default_rng(1)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (40, 60), dtype=np.uint8)).save(
            tmp_path / f"{i}.png")
    corrupt = str(tmp_path / "1.png")
    raw = bytearray(open(corrupt, "rb").read())
    raw[60:600] = bytes(540)  # inside the image data; signature and end marker intact
    open(corrupt, "wb").write(bytes(raw))
    # verify='header' decodes each file with Pillow when the dataset is built.
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("image_folder", seed=0, path=str(tmp_path))
    message = str(error.value).splitlines()[0]
    assert message.startswith(f"{corrupt}: image: expected a complete JPEG, PNG, BMP or GIF "
                              "file, got a truncated or damaged PNG file")
    assert "image_folder.skip_bad_records" in message


@pytest.mark.parametrize("saved_as, named", [("npz", "x.npy"), ("npy", "x.npz"),
                                             ("npy", "x.bin")])
def test_arrays_are_told_apart_by_content_not_name(tmp_path, saved_as, named):
    images = np.random.default_rng(2).integers(0, 256, (5, 36, 60), dtype=np.uint8)
    path = str(tmp_path / named)
    with open(path, "wb") as f:
        np.savez(f, images=images) if saved_as == "npz" else np.save(f, images)
    elements = list(DATASETS.build("image_array", seed=0, path=path, shuffle=False,
                                   fit="resize").as_numpy_iterator())
    assert len(elements) == 5


def test_a_file_that_is_no_array_is_one_line(tmp_path):
    path = str(tmp_path / "x.npy")
    open(path, "w").write("not an array")
    with pytest.raises(records.BadRecordError, match="expected a NumPy .npy array or .npz archive"):
        DATASETS.build("image_array", seed=0, path=path)


@pytest.mark.parametrize("source, expected", [("image_array", "an existing .npz or .npy file"),
                                              ("hdf5", "an existing HDF5 file")])
def test_a_directory_given_for_a_file_says_so(tmp_path, source, expected):
    with pytest.raises(records.BadRecordError,
                       match=f"{tmp_path}: {source}.path: is a directory; expected {expected}"):
        DATASETS.build(source, seed=0, path=str(tmp_path))


def test_a_file_given_for_a_folder_says_so(tmp_path):
    path = tmp_path / "file.png"
    path.write_bytes(b"x")
    with pytest.raises(records.BadRecordError, match="image_folder.path: is a file; expected"):
        DATASETS.build("image_folder", seed=0, path=str(path))
