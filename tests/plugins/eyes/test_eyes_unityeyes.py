"""UnityEyes reader: the parser on a real metadata file, crop geometry, gaze frame, bad input."""

import json
import os
import shutil

import eyes_data
import numpy as np
import pytest

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import records, unityeyes


def _first(dataset, n=None):
    return list(dataset.take(n or 100).as_numpy_iterator())


def test_parser_reads_the_real_unityeyes_fixture():
    if not os.path.exists(eyes_data.UNITYEYES_FIXTURE):
        pytest.skip(f"fixture {eyes_data.UNITYEYES_FIXTURE} is absent")
    meta = unityeyes.parse(eyes_data.UNITYEYES_FIXTURE)
    assert meta.interior_margin.shape == (16, 3)
    assert meta.caruncle.shape == (7, 3) and meta.iris.shape == (32, 3)
    np.testing.assert_allclose(meta.interior_margin[0], [371.4855, 296.4230, 8.8595])
    np.testing.assert_allclose(meta.head_pose, [355.0770, 203.8451, 0.0])
    # look_vec "(0.3404, 0.3879, -0.8566, 0.0000)": y flips (up -> down), unit length.
    np.testing.assert_allclose(meta.gaze(), np.array([0.3404, -0.3879, -0.8566]) / np.linalg.norm(
        [0.3404, 0.3879, -0.8566]), rtol=1e-5)
    # The iris lies above the margin centre in the image (UnityEyes y grows upward), and the
    # gaze points up in the project frame (y < 0): the two conventions agree.
    margin_centre_y = (meta.interior_margin[:, 1].min() + meta.interior_margin[:, 1].max()) / 2
    assert meta.iris[:, 1].mean() > margin_centre_y and meta.gaze()[1] < 0
    cx, cy, w, h = meta.crop(1.5, 35 / 55)
    eye_width = np.linalg.norm(meta.caruncle[:, :2].mean(0) - meta.interior_margin[8, :2])
    assert w == pytest.approx(1.5 * eye_width) and h == pytest.approx(w * 35 / 55)
    assert meta.interior_margin[:, 0].min() < cx < meta.interior_margin[:, 0].max()


def test_reader_crops_the_eye_box_and_converts_gaze(tmp_path):
    looks = eyes_data.write_unityeyes(str(tmp_path), 4)
    dataset = DATASETS.build("unityeyes", seed=0, path=str(tmp_path), shuffle=False)
    data.check_contract(dataset, data.describe("unityeyes"))
    elements = _first(dataset)
    assert len(elements) == 4
    for element, look in zip(elements, looks):
        assert element["image"].shape == (35, 55, 1)
        # the white box was drawn where the crop must land (y measured from the bottom)
        assert element["image"][4:-4, 4:-4].mean() > 0.9
        # y flips; the JSON holds 4 decimals
        np.testing.assert_allclose(element["gaze"], look * [1, -1, 1], atol=1e-3)


def test_shuffle_is_deterministic_given_the_seed(tmp_path):
    eyes_data.write_unityeyes(str(tmp_path), 6)

    def gazes(seed):
        dataset = DATASETS.build("unityeyes", seed=seed, path=str(tmp_path))
        return np.stack([e["gaze"] for e in _first(dataset)])

    np.testing.assert_array_equal(gazes(1), gazes(1))
    assert not np.array_equal(gazes(1), gazes(2))


def _corrupt(directory, name, content):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(content)


@pytest.mark.parametrize("case, field, expected", [
    ("truncated_json", "(file)", "a UnityEyes JSON object"),
    ("missing_look_vec", "eye_details.look_vec", "(x, y, z, 0)"),
    ("nan_look_vec", "eye_details.look_vec", "finite numbers"),
    ("short_margin", "interior_margin_2d", "a list of 9 strings"),
    ("truncated_jpg", "image", "the complete JPEG render"),
    ("missing_jpg", "image", "the complete JPEG render"),
])
def test_bad_input_names_file_field_and_expectation(tmp_path, case, field, expected, caplog):
    eyes_data.write_unityeyes(str(tmp_path), 3)
    bad_file = os.path.join(tmp_path, "2.json")
    meta = json.load(open(bad_file))
    if case == "truncated_json":
        _corrupt(tmp_path, "2.json", json.dumps(meta)[:50].encode())
    elif case == "missing_look_vec":
        del meta["eye_details"]["look_vec"]
    elif case == "nan_look_vec":
        meta["eye_details"]["look_vec"] = "(nan, 0.1, -0.9, 0.0)"
    elif case == "short_margin":
        meta["interior_margin_2d"] = meta["interior_margin_2d"][:5]
    elif case == "truncated_jpg":
        bad_file = os.path.join(tmp_path, "2.jpg")
        _corrupt(tmp_path, "2.jpg", open(bad_file, "rb").read()[:400])
    elif case == "missing_jpg":
        bad_file = os.path.join(tmp_path, "2.jpg")
        os.remove(bad_file)
    if case in ("missing_look_vec", "nan_look_vec", "short_margin"):
        json.dump(meta, open(bad_file, "w"))
    with pytest.raises(records.BadRecordError) as error:
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path))
    text = str(error.value)
    assert bad_file in text and field in text and expected in text
    skipping = DATASETS.build("unityeyes", seed=0, path=str(tmp_path), skip_bad_records=True)
    assert len(_first(skipping)) == 2
    assert "skipped 1 bad record(s), kept 2" in caplog.text and bad_file in caplog.text


def test_empty_directory_and_missing_path(tmp_path):
    with pytest.raises(records.BadRecordError, match="unityeyes.path: expected files ending in "
                                                     r"\.json, got none \(empty directory\)"):
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path))
    with pytest.raises(records.BadRecordError, match="no such directory"):
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path / "absent"))


def test_all_records_bad_is_an_error_even_when_skipping(tmp_path):
    eyes_data.write_unityeyes(str(tmp_path), 1)
    shutil.copy(os.path.join(tmp_path, "1.json"), os.path.join(tmp_path, "x.json"))
    os.remove(os.path.join(tmp_path, "1.jpg"))
    with pytest.raises(records.BadRecordError, match="no usable record left"):
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path), skip_bad_records=True)


def test_verify_decode_names_a_jpeg_with_corrupt_data(tmp_path):
    eyes_data.write_unityeyes(str(tmp_path), 2)
    corrupt = os.path.join(tmp_path, "2.jpg")
    eyes_data.corrupt_jpeg_data(corrupt)
    # Pillow decodes every file when the dataset is built, so corrupt data fails then.
    with pytest.raises(records.BadRecordError, match=f"{corrupt}: image: expected the complete "
                                                     "JPEG render.*truncated or damaged JPEG"):
        DATASETS.build("unityeyes", seed=0, path=str(tmp_path), verify="decode")
    dataset = DATASETS.build("unityeyes", seed=0, path=str(tmp_path), verify="decode",
                             skip_bad_records=True)
    assert len(_first(dataset)) == 1
