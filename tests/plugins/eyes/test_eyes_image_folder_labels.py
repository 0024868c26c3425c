"""image_folder: labels from a CSV or JSON file beside the images, a fixed held-out split, file
names in a fixed order, and strict channel counts (issue 18, items 1, 2 and 4)."""

import json

import numpy as np
import pytest
from PIL import Image

from simgan.plugins.eyes import image_folder, records


def _folder(tmp_path, count=10, mode="L"):
    """PNGs whose top-left pixel is their index; half in a sub-folder."""
    names = []
    for i in range(count):
        name = f"sub/{i:02d}.png" if i % 2 else f"{i:02d}.png"
        (tmp_path / name).parent.mkdir(exist_ok=True)
        pixels = np.full((10, 12, 3) if mode == "RGB" else (10, 12), 10 * i, np.uint8)
        Image.fromarray(pixels, mode).save(tmp_path / name)
        names.append(name)
    return names


def _elements(**kwargs):
    kwargs = {"seed": 0, "height": 10, "width": 12, **kwargs}
    return list(image_folder.image_folder(**kwargs).as_numpy_iterator())


def _index(element):
    return int(round((element["image"][0, 0, 0] + 1) * 127.5 / 10))


def test_csv_labels_follow_their_images_in_any_order(tmp_path):
    names = _folder(tmp_path)
    rows = ["file,gx,gy,age"] + [f"{n},{i / 10},{-i},{i * 2}" for i, n in enumerate(names)]
    (tmp_path / "labels.csv").write_text("\n".join([rows[0], *reversed(rows[1:])]) + "\n")
    elements = _elements(path=str(tmp_path), labels="labels.csv",
                         label_columns={"gaze": ["gx", "gy"]})
    assert len(elements) == 10 and set(elements[0]) == {"image", "gaze"}
    for element in elements:  # shuffled with the seed; each label still its image's
        i = _index(element)
        np.testing.assert_allclose(element["gaze"], [i / 10, -i], rtol=1e-6)
    every = _elements(path=str(tmp_path), labels="labels.csv", shuffle=False)
    assert {k: v.shape for k, v in every[0].items() if k != "image"} == {
        "gx": (), "gy": (), "age": ()}


def test_json_labels_as_an_object_or_a_list(tmp_path):
    names = _folder(tmp_path, count=4)
    (tmp_path / "a.json").write_text(json.dumps(
        {n: {"gaze": [i, 0.5, -1.0], "size": i} for i, n in enumerate(names)}))
    (tmp_path / "b.json").write_text(json.dumps(
        [{"path": n, "gaze": [i, 0.5, -1.0]} for i, n in enumerate(names)]))
    for file, column in (("a.json", "file"), ("b.json", "path")):
        elements = _elements(path=str(tmp_path), labels=file, label_file_column=column,
                             label_columns={"gaze": ["gaze"]}, shuffle=False)
        assert [e["gaze"][0] for e in elements] == [_index(e) for e in elements]
        assert elements[0]["gaze"].shape == (3,)


def test_whole_numbers_are_int32_classes_and_any_fraction_makes_an_entry_float(tmp_path):
    names = _folder(tmp_path, count=4)
    rows = ["file,glyph,angle,big"] + [f"{n},{i},{i if i else 0.5},{2 ** 40}"
                                       for i, n in enumerate(names)]
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "labels.json").write_text(json.dumps(
        {n: {"glyph": i, "glyph_float": float(i), "xy": [i, -i]} for i, n in enumerate(names)}))
    csv_elements = _elements(path=str(tmp_path), labels="labels.csv", shuffle=False)
    json_elements = _elements(path=str(tmp_path), labels="labels.json", shuffle=False)
    assert {k: v.dtype for k, v in csv_elements[0].items() if k != "image"} == {
        "glyph": np.int32, "angle": np.float32, "big": np.float32}
    assert {k: v.dtype for k, v in json_elements[0].items() if k != "image"} == {
        "glyph": np.int32, "glyph_float": np.float32, "xy": np.int32}
    assert [int(e["glyph"]) for e in csv_elements] == [_index(e) for e in csv_elements]
    assert csv_elements[0]["big"] == 2.0 ** 40
    combined = _elements(path=str(tmp_path), labels="labels.json", shuffle=False,
                         label_columns={"mixed": ["glyph", "glyph_float"]})
    assert combined[1]["mixed"].dtype == np.float32
    np.testing.assert_array_equal(combined[1]["mixed"], [_index(combined[1])] * 2)


@pytest.mark.parametrize("text, match", [
    ("file,x\n00.png,1\n", r"sub/01.png: labels: expected a record in .*labels.csv, got none"),
    ("file,x\n" + "".join(f"{n},1\n" for n in ["00.png", "sub/01.png", "zz.png"]),
     r"labels.csv: file 'zz.png': expected an image under .*, got no such image"),
    ("name,x\n00.png,1\n", r"labels.csv: header: expected a 'file' column"),
    ("file,x\n00.png,1\nsub/01.png,oops\n", r"labels.csv: record 2: x: expected a finite "
                                             r"number or a list of them, got 'oops'"),
    ("file,x\n00.png,1\n00.png,2\n", r"record 2: file: expected one record per image"),
])
def test_bad_label_files_name_the_file_and_record(tmp_path, text, match):
    _folder(tmp_path, count=2)
    (tmp_path / "labels.csv").write_text(text)
    with pytest.raises(records.BadRecordError, match=match):
        _elements(path=str(tmp_path), labels="labels.csv")


def test_a_missing_label_column_is_named(tmp_path):
    names = _folder(tmp_path, count=2)
    (tmp_path / "labels.csv").write_text("file,x\n" + "".join(f"{n},1\n" for n in names))
    with pytest.raises(records.BadRecordError, match=r"labels.csv: 00.png: y: expected the "
                                                     r"label fields \['x', 'y'\]"):
        _elements(path=str(tmp_path), labels="labels.csv", label_columns={"xy": ["x", "y"]})


def test_holdout_splits_are_disjoint_fixed_and_independent_of_the_seed(tmp_path):
    _folder(tmp_path, count=20)
    train = {str(e["file"]) for e in _elements(path=str(tmp_path), holdout=0.25, split="train",
                                               file_names=True)}
    heldout = [str(e["file"]) for e in _elements(path=str(tmp_path), holdout=0.25,
                                                 split="heldout", file_names=True, seed=7)]
    assert len(train) == 15 and len(heldout) == 5 and not train & set(heldout)
    (tmp_path / "zz.png").write_bytes((tmp_path / "00.png").read_bytes())  # one more file
    again = [str(e["file"]) for e in _elements(path=str(tmp_path), holdout=0.25,
                                               split="heldout", file_names=True, seed=3)]
    assert len(again) == 5 and len(set(again) & set(heldout)) >= 4


@pytest.mark.parametrize("holdout, split, match", [
    (0.2, "all", "holdout = 0.2 has no effect with image_folder.split = 'all'"),
    (0.0, "heldout", r"split = 'heldout': expected image_folder.holdout in \(0, 1\)"),
    (0.2, "test", "image_folder.split: expected one of"),
    (0.01, "train", "holds out 0; expected at least one image in each part"),
])
def test_split_settings_are_checked(tmp_path, holdout, split, match):
    _folder(tmp_path, count=10)
    with pytest.raises(ValueError, match=match):
        _elements(path=str(tmp_path), holdout=holdout, split=split)


def test_unshuffled_order_is_the_sorted_paths_with_their_names(tmp_path):
    names = _folder(tmp_path, count=6)
    elements = _elements(path=str(tmp_path), shuffle=False, file_names=True)
    assert [e["file"].decode() for e in elements] == sorted(names)
    assert [_index(e) for e in elements] == [int(n[-6:-4]) for n in sorted(names)]


def test_strict_channels_refuse_a_colour_image_for_grey(tmp_path):
    _folder(tmp_path, count=2, mode="RGB")
    assert len(_elements(path=str(tmp_path))) == 2  # converted to grey by default
    with pytest.raises(records.BadRecordError, match=r"00.png: image: expected 1 channel\(s\) "
                                                     r"\(image_folder.channels\), got 3"):
        _elements(path=str(tmp_path), strict_channels=True)
