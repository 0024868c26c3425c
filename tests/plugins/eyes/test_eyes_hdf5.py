"""HDF5 readers: the Kaggle gaze.h5 / real_gaze.h5 layout, the generic layout, bad input."""

import eyes_data
import h5py
import numpy as np
import pytest

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records


def _all(dataset):
    return list(dataset.as_numpy_iterator())


def test_kaggle_layout_pairs_images_with_look_vec_in_natural_order(tmp_path):
    path = str(tmp_path / "gaze.h5")
    look = eyes_data.write_kaggle_gaze(path, 12)  # names 0..11: "10" sorts after "9"
    dataset = DATASETS.build("hdf5_gaze", seed=0, path=path, shuffle=False)
    data.check_contract(dataset, data.describe("hdf5_gaze"))
    elements = _all(dataset)
    assert [e["image"].shape for e in elements] == [(35, 55, 1)] * 12
    for i, element in enumerate(elements):
        assert element["image"][0, 0, 0] == pytest.approx(i / 127.5 - 1)
        unit = look[i] / np.linalg.norm(look[i])
        np.testing.assert_allclose(element["gaze"], unit * [1, -1, 1], atol=1e-6)


def test_kaggle_real_file_without_labels_and_seeded_order(tmp_path):
    path = str(tmp_path / "real_gaze.h5")
    eyes_data.write_kaggle_gaze(path, 600, labelled=False)  # more than one block

    def firsts(seed):
        dataset = DATASETS.build("hdf5_gaze", seed=seed, path=path)
        return [float(e["image"][0, 0, 0]) for e in _all(dataset)]

    assert DATASETS.build("hdf5_gaze", seed=0, path=path).element_spec.keys() == {"image"}
    assert len(firsts(0)) == 600 and firsts(0) == firsts(0) and firsts(0) != firsts(1)


def test_generic_layout_with_labels(tmp_path):
    path = str(tmp_path / "set.h5")
    images = np.random.default_rng(0).integers(0, 255, (5, 40, 60, 3), dtype=np.uint8)
    with h5py.File(path, "w") as f:
        f["images"] = images
        f["gaze"] = np.tile([0.0, 0.0, -2.0], (5, 1))
        f["angle"] = np.arange(5, dtype=np.float64)
        f["note"] = np.arange(3)  # not one row per image: not a label
    elements = _all(DATASETS.build("hdf5", seed=0, path=path, shuffle=False))
    assert set(elements[0]) == {"image", "gaze", "angle"}
    assert elements[0]["image"].shape == (35, 55, 3)
    np.testing.assert_allclose(elements[2]["gaze"], [0, 0, -1])
    assert [e["angle"] for e in elements] == [0, 1, 2, 3, 4]
    only_images = DATASETS.build("hdf5", seed=0, path=path, labels=[])
    assert set(only_images.element_spec) == {"image"}


@pytest.mark.parametrize("case, field, expected", [
    ("truncated", "(file)", "a readable HDF5 file"),
    ("not_hdf5", "(file)", "a readable HDF5 file"),
    ("missing_images", "images", "an image dataset or group"),
    ("float_images", "images", "uint8 pixel values"),
    ("wrong_shape", "images", "images [N, H, W] or [N, H, W, C]"),
    ("label_rows", "gaze", "[4, ...] (one row per image)"),
])
def test_generic_bad_files(tmp_path, case, field, expected):
    path = str(tmp_path / "bad.h5")
    with h5py.File(path, "w") as f:
        images = np.zeros((4, 35, 55), np.uint8)
        if case == "float_images":
            images = images.astype(np.float32)
        if case == "wrong_shape":
            images = images[:, :, 0]
        if case != "missing_images":
            f["images"] = images
        f["gaze"] = np.tile([0.0, 0.0, -1.0], (3 if case == "label_rows" else 4, 1))
        f["pad"] = np.zeros(100000)  # so that truncation cuts data, not only the end
    if case == "truncated":
        content = open(path, "rb").read()
        open(path, "wb").write(content[:len(content) // 2])
    if case == "not_hdf5":
        open(path, "wb").write(b"not an hdf5 file at all")
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("hdf5", seed=0, path=path, labels=["gaze"])
    text = str(error.value)
    assert path in text and f": {field}:" in text and expected in text, text


def test_non_finite_labels_raise_or_are_skipped(tmp_path, caplog):
    path = str(tmp_path / "gaze.h5")
    eyes_data.write_kaggle_gaze(path, 6)
    with h5py.File(path, "a") as f:
        f["look_vec"][2] = [np.inf, 0, -1]
        f["look_vec"][4] = [0, 0, 0]
    with pytest.raises(records.BadRecordError, match=r"gaze.h5: look_vec\[2\]: expected a finite "
                                                     r"non-zero 3-vector, got \[inf"):
        DATASETS.build("hdf5_gaze", seed=0, path=path)
    dataset = DATASETS.build("hdf5_gaze", seed=0, path=path, shuffle=False,
                             skip_bad_records=True)
    assert [round((e["image"][0, 0, 0] + 1) * 127.5) for e in _all(dataset)] == [0, 1, 3, 5]
    assert "skipped 2 bad record(s), kept 4" in caplog.text


def test_kaggle_group_with_a_bad_image(tmp_path):
    path = str(tmp_path / "gaze.h5")
    eyes_data.write_kaggle_gaze(path, 3)
    with h5py.File(path, "a") as f:
        del f["image/1"]
        f["image/1"] = np.zeros((35, 50), np.uint8)
    with pytest.raises(records.BadRecordError, match=r"image/1: expected a 2-D image of shape "
                                                     r"\(35, 55\), got shape \(35, 50\)"):
        DATASETS.build("hdf5_gaze", seed=0, path=path)
