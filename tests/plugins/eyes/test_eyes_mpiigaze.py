"""MPIIGaze Normalized reader: .mat layout (v5 and v7.3), right-eye mirroring, participants,
bad input."""

import os

import eyes_data
import numpy as np
import pytest

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records


def _all(dataset):
    return list(dataset.as_numpy_iterator())


def _day(root, participant=0):
    return os.path.join(root, "Data", "Normalized", f"p{participant:02d}", "day01.mat")


@pytest.mark.parametrize("v73", [False, True])
def test_reads_both_eyes_and_mirrors_right_ones(tmp_path, v73):
    left = eyes_data.mpiigaze_eye(3, seed=1, marker_left=True)
    right = eyes_data.mpiigaze_eye(2, seed=2, marker_left=False)
    eyes_data.write_mpiigaze_mat(_day(tmp_path), left, right, v73=v73)
    dataset = DATASETS.build("mpiigaze", seed=0, path=str(tmp_path), shuffle=False)
    data.check_contract(dataset, data.describe("mpiigaze"))
    elements = _all(dataset)
    assert len(elements) == 5
    for element in elements:  # every eye now has its bright marker on the left
        image = element["image"][..., 0]
        assert image.shape == (35, 55)
        assert image[:, :15].mean() > 0.9 and image[:, -15:].mean() < -0.4
    np.testing.assert_allclose([e["gaze"] for e in elements[:3]], left["gaze"], atol=1e-6)
    np.testing.assert_allclose([e["gaze"] for e in elements[3:]], right["gaze"] * [-1, 1, 1],
                               atol=1e-6)
    np.testing.assert_allclose([e["head_pose"] for e in elements[3:]],
                               right["pose"] * [1, -1, -1], atol=1e-6)
    # centre crop 36x60 -> 35x55: rows 0..34, columns 2..56, no interpolation
    expected = data.to_unit_range(left["image"][0, :35, 2:57]).numpy()
    np.testing.assert_allclose(elements[0]["image"][..., 0], expected, atol=1e-6)


def test_participant_selection_for_leave_one_out(tmp_path):
    eyes_data.write_mpiigaze(str(tmp_path), {0: 2, 1: 3, 2: 4})

    def count(**kwargs):
        return len(_all(DATASETS.build("mpiigaze", seed=0, path=str(tmp_path), **kwargs)))

    assert count() == 2 * (2 + 3 + 4)
    assert count(exclude_participants=[1]) == 2 * (2 + 4)
    assert count(participants=["p01"]) == 2 * 3
    assert count(participants=[2], eyes=["left"]) == 4
    with pytest.raises(records.BadRecordError, match=r"mpiigaze.participants: expected "
                                                     r"participant folders among .*'p07'"):
        count(participants=[7])
    with pytest.raises(records.BadRecordError, match="at least one participant left"):
        count(participants=[1], exclude_participants=[1])


def test_resize_option_and_seeded_order(tmp_path):
    eyes_data.write_mpiigaze(str(tmp_path), {0: 8})
    resized = _all(DATASETS.build("mpiigaze", seed=0, path=str(tmp_path), fit="resize"))
    assert resized[0]["image"].shape == (35, 55, 1)

    def gazes(seed):
        return [e["gaze"] for e in _all(DATASETS.build("mpiigaze", seed=seed, path=str(tmp_path)))]

    np.testing.assert_array_equal(gazes(3), gazes(3))
    assert not np.array_equal(gazes(3), gazes(4))


def _write_bad(path, case):
    left = eyes_data.mpiigaze_eye(3, seed=1)
    right = eyes_data.mpiigaze_eye(3, seed=2)
    if case == "missing_field":
        del right["gaze"]
    elif case == "wrong_dtype":
        left["image"] = left["image"].astype(np.float64)
    elif case == "wrong_shape":
        left["gaze"] = left["gaze"][:, :2]
    elif case == "nan_gaze":
        left["gaze"][1] = np.nan
    eyes_data.write_mpiigaze_mat(path, left, right)
    if case == "truncated":
        content = open(path, "rb").read()
        open(path, "wb").write(content[:len(content) // 2])


@pytest.mark.parametrize("case, field, expected, skipped_left", [
    ("truncated", "(file)", "a MATLAB .mat file", 0),
    ("missing_field", "data.right.gaze", "a MATLAB struct field", 0),
    ("wrong_dtype", "data.left.image", "uint8", 0),
    ("wrong_shape", "data.left.gaze", "[3, 3] (one row per image)", 0),
    ("nan_gaze", "data.left.gaze[1]", "a finite non-zero 3-vector", 5),
])
def test_bad_input(tmp_path, caplog, case, field, expected, skipped_left):
    eyes_data.write_mpiigaze(str(tmp_path), {0: 2})
    bad_file = _day(tmp_path, 1)
    _write_bad(bad_file, case)
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("mpiigaze", seed=0, path=str(tmp_path))
    text = str(error.value)
    assert bad_file in text and field in text and expected in text, text
    skipping = DATASETS.build("mpiigaze", seed=0, path=str(tmp_path), skip_bad_records=True)
    assert len(_all(skipping)) == 4 + skipped_left  # p00's 2+2, and p01's good rows if any
    assert "skipped 1 bad record(s)" in caplog.text and bad_file in caplog.text


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(records.BadRecordError, match="no such directory"):
        DATASETS.build("mpiigaze", seed=0, path=str(tmp_path / "absent"))
    os.makedirs(tmp_path / "Data" / "Normalized" / "p00")
    with pytest.raises(records.BadRecordError, match=r"p00: mpiigaze.path: expected files "
                                                     r"ending in \.mat"):
        DATASETS.build("mpiigaze", seed=0, path=str(tmp_path))
