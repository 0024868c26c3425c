"""Unlabelled real image sources: image_array (.npz/.npy) and image_folder, with bad input."""

import os

import eyes_data
import numpy as np
import pytest
from PIL import Image

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records


def _all(dataset):
    return list(dataset.as_numpy_iterator())


def test_shared_mpiigaze_real_npz_loads_centre_cropped():
    if not os.path.exists(eyes_data.MPIIGAZE_REAL):
        pytest.skip(f"{eyes_data.MPIIGAZE_REAL} is absent")
    dataset = DATASETS.build("image_array", seed=0, path=eyes_data.MPIIGAZE_REAL, shuffle=False)
    data.check_contract(dataset, data.describe("image_array"))
    assert int(dataset.cardinality()) == 2400
    first = next(iter(dataset))["image"].numpy()
    raw = np.load(eyes_data.MPIIGAZE_REAL)["images"][0]
    np.testing.assert_allclose(first[..., 0], data.to_unit_range(raw[:35, 2:57]).numpy())


@pytest.mark.parametrize("suffix", [".npz", ".npy"])
def test_arrays_in_both_containers(tmp_path, suffix):
    images = np.arange(600 * 36 * 60, dtype=np.int64).reshape(600, 36, 60).astype(np.uint8)
    path = str(tmp_path / f"x{suffix}")
    np.savez(path, images=images) if suffix == ".npz" else np.save(path, images)
    dataset = DATASETS.build("image_array", seed=0, path=path, fit="resize")
    assert int(dataset.cardinality()) == 600
    elements = _all(dataset)
    assert len(elements) == 600 and elements[0]["image"].shape == (35, 55, 1)
    ordered = _all(DATASETS.build("image_array", seed=0, path=path, shuffle=False))
    np.testing.assert_allclose(ordered[599]["image"][..., 0],
                               data.to_unit_range(images[599, :35, 2:57]).numpy())


@pytest.mark.parametrize("case, field, expected", [
    ("truncated", "images", "a readable NumPy .npz/.npy file"),
    ("missing_key", "images", "an array named 'images'"),
    ("float", "images", "uint8 pixel values"),
    ("too_small", "images", "images of at least 35x55 to centre-crop"),
    ("wrong_rank", "images", "uint8 images [N, H, W]"),
])
def test_array_bad_input(tmp_path, case, field, expected):
    path = str(tmp_path / "bad.npz")
    images = np.zeros((4, 36, 60), np.uint8)
    arrays = {"images": images}
    if case == "missing_key":
        arrays = {"pictures": images}
    elif case == "float":
        arrays = {"images": images.astype(np.float32)}
    elif case == "too_small":
        arrays = {"images": images[:, :30]}
    elif case == "wrong_rank":
        arrays = {"images": images[:, 0]}
    np.savez(path, **arrays)
    if case == "truncated":
        content = open(path, "rb").read()
        open(path, "wb").write(content[:len(content) - 100])
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("image_array", seed=0, path=path)
    text = str(error.value)
    assert text.startswith(f"{path}: {field}: expected {expected}"), text


def _write_folder(directory, count, size=(48, 80)):
    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        image = np.full(size + (3,), 20 * i, np.uint8)
        Image.fromarray(image).save(os.path.join(directory, f"{i}.{'png' if i % 2 else 'jpg'}"))


def test_image_folder_decodes_grayscale_and_resizes(tmp_path):
    _write_folder(str(tmp_path / "a"), 3)
    _write_folder(str(tmp_path / "a" / "sub"), 2, size=(100, 30))
    dataset = DATASETS.build("image_folder", seed=0, path=str(tmp_path / "a"), shuffle=False)
    data.check_contract(dataset, data.describe("image_folder"))
    elements = _all(dataset)
    assert len(elements) == 5 and {e["image"].shape for e in elements} == {(35, 55, 1)}
    np.testing.assert_allclose(elements[1]["image"], 20 / 127.5 - 1, atol=2 / 127.5)
    rgb = _all(DATASETS.build("image_folder", seed=0, path=str(tmp_path / "a"), channels=3))
    assert rgb[0]["image"].shape == (35, 55, 3)
    flat = DATASETS.build("image_folder", seed=0, path=str(tmp_path / "a"), recursive=False)
    assert len(_all(flat)) == 3


def test_image_folder_bad_files(tmp_path, caplog):
    _write_folder(str(tmp_path), 4)
    truncated = str(tmp_path / "1.png")
    content = open(truncated, "rb").read()
    open(truncated, "wb").write(content[:60])
    junk = str(tmp_path / "9.jpg")
    open(junk, "wb").write(b"this is not an image")
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("image_folder", seed=0, path=str(tmp_path))
    assert str(error.value).startswith(f"{truncated}: image: expected a complete JPEG, PNG, BMP "
                                       "or GIF file, got a truncated or damaged PNG file")
    dataset = DATASETS.build("image_folder", seed=0, path=str(tmp_path), skip_bad_records=True)
    assert len(_all(dataset)) == 3
    assert "skipped 2 bad record(s), kept 3" in caplog.text and junk in caplog.text


def test_image_folder_empty_and_crop_of_small_image(tmp_path):
    with pytest.raises(records.BadRecordError, match="expected files ending in .jpg"):
        DATASETS.build("image_folder", seed=0, path=str(tmp_path))
    _write_folder(str(tmp_path), 1, size=(20, 20))
    with pytest.raises(records.BadRecordError, match=r"0\.jpg: image: expected an image of at "
                       r"least 35x55 to centre-crop \(or set image_folder.fit = 'resize'\), "
                       "got 20x20"):  # when the dataset is built, not while it is read
        DATASETS.build("image_folder", seed=0, path=str(tmp_path), fit="crop")


def test_image_folder_verify_decode_names_corrupt_image_data(tmp_path, caplog):
    _write_folder(str(tmp_path), 3)
    corrupt = str(tmp_path / "2.jpg")
    eyes_data.corrupt_jpeg_data(corrupt)
    header_only = DATASETS.build("image_folder", seed=0, path=str(tmp_path), skip_bad_records=True)
    assert len(_all(header_only)) == 2  # Pillow's check at build time drops it
    with pytest.raises(records.BadRecordError, match=f"{corrupt}: image: expected a complete "
                                                     ".*got a truncated or damaged JPEG"):
        DATASETS.build("image_folder", seed=0, path=str(tmp_path), verify="decode")
    dataset = DATASETS.build("image_folder", seed=0, path=str(tmp_path), verify="decode",
                             skip_bad_records=True)
    assert len(_all(dataset)) == 2 and "skipped 1 bad record(s), kept 2" in caplog.text
