"""The downstream evaluator on a user's folders (docs/YOUR_DATA.md): labelled synthetic images
and a labelled real folder split into validation and test parts by gin scopes."""

import gin
import numpy as np
import pytest
from PIL import Image

from simgan.core.registries import EVALUATORS
from simgan.plugins import domains  # noqa: F401  (registers 'downstream')
from simgan.plugins import eyes  # noqa: F401  (registers image_folder)
from toy_gaze_data import function_refiner

# Two classes: a bright left half or a bright right half; the real side is dimmer and noisier.
FOLDERS = """
image_folder.height = 8
image_folder.width = 8
synthetic/image_folder.labels = 'labels.csv'
real_labelled/image_folder.labels = 'labels.csv'
real_labelled/image_folder.holdout = 0.5
real_labelled/validation/image_folder.split = 'train'
real_labelled/test/image_folder.split = 'heldout'
task_model.filters = (4,)
task_model.dense_units = 8
train_task_model.steps = 150
"""
SCOPES = {"validation": "real_labelled/validation", "test": "real_labelled/test"}


def _folder(path, count, bright, noise, seed):
    rng = np.random.default_rng(seed)
    path.mkdir()
    rows = ["file,label"]
    for i in range(count):
        label = i % 2
        pixels = rng.normal(20, noise, (8, 8))
        pixels[:, 4 * label:4 * label + 4] += bright
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(path / f"{i}.png")
        rows.append(f"{i}.png,{label}")
    (path / "labels.csv").write_text("\n".join(rows) + "\n")
    return str(path)


def _build(tmp_path, **kwargs):
    synthetic = _folder(tmp_path / "synthetic", 40, bright=200, noise=2, seed=0)
    real = _folder(tmp_path / "real", 30, bright=150, noise=15, seed=1)
    gin.parse_config(FOLDERS + f"synthetic/image_folder.path = '{synthetic}'\n"
                     f"real_labelled/image_folder.path = '{real}'\n")
    options = dict(synthetic_dataset="image_folder", real_dataset="image_folder",
                   label_key="label", train_examples=32, test_examples=500, num_seeds=1,
                   include_oracle=False, real_scopes=SCOPES, task="classification")
    options.update(kwargs)
    return EVALUATORS.build("downstream", seed=0, output_dir=str(tmp_path / "out"), **options)


def _refiner(function):
    return function_refiner(function, shape=(8, 8, 1))


def test_folders_give_a_classification_on_the_labelled_real_parts(tmp_path):
    downstream = _build(tmp_path)
    results = downstream.evaluate(_refiner(lambda x: -x), step=5)
    assert sorted(results) == sorted(f"{row}/{key}" for row in ("synthetic", "refined")
                                     for key in ("accuracy", "accuracy_std",
                                                 "validation_accuracy",
                                                 "validation_accuracy_std"))
    # The halves carry over to the real folder; a refiner that negates every image flips them.
    assert results["synthetic/accuracy"] >= 0.8
    assert results["refined/accuracy"] <= 0.2
    # Each labelled part is used whole (fewer images than test_examples), and they are disjoint.
    test, validation = (downstream._take("real", s)["image"] for s in ("test", "validation"))
    assert len(test) + len(validation) == 30 and 10 <= len(test) <= 20
    assert not any(np.array_equal(t, v) for t in test for v in validation)


def test_auto_classifies_whole_number_labels_and_regresses_fractional_ones_or_as_told(tmp_path):
    (tmp_path / "classes").mkdir()
    results = _build(tmp_path / "classes", task="auto").evaluate(None, step=0)
    assert "synthetic/accuracy" in results and "synthetic/mse" not in results
    (tmp_path / "numbers").mkdir()
    results = _build(tmp_path / "numbers", task="regression").evaluate(None, step=0)
    assert 0.0 < results["synthetic/mse"] < 1.0 and "synthetic/accuracy" not in results
    (tmp_path / "values").mkdir()
    downstream = _build(tmp_path / "values", task="auto")
    for side in ("synthetic", "real"):
        csv = tmp_path / "values" / side / "labels.csv"
        csv.write_text(csv.read_text().replace(",1\n", ",1.0\n"))
    results = downstream.evaluate(None, step=0)
    assert "synthetic/mse" in results and "synthetic/accuracy" not in results


def test_oracle_trains_on_a_third_labelled_part(tmp_path):
    gin.parse_config("real_labelled/train/image_folder.split = 'train'")
    downstream = _build(tmp_path, include_oracle=True,
                        real_scopes={**SCOPES, "train": "real_labelled/train"})
    results = downstream.evaluate(None, step=0)
    assert 0.0 <= results["oracle/accuracy"] <= 1.0
    assert len(downstream._take("real", "train")["image"]) == len(
        downstream._take("real", "validation")["image"])


@pytest.mark.parametrize("options, message", [
    (dict(real_scopes=None),
     "real dataset 'image_folder' has no 'split' and 'num_examples' parameters.*set "
     "downstream.real_scopes"),
    (dict(real_scopes={"test": "real_labelled/test"}),
     r"downstream.real_scopes: expected a gin scope for each of \['test', 'validation'\].*"
     r"missing \['validation'\]"),
    (dict(include_oracle=True),
     r"expected a gin scope for each of \['test', 'train', 'validation'\] \('train', the "
     r"labelled real images the oracle trains on.*missing \['train'\]"),
    (dict(real_scopes={**SCOPES, "tset": "x"}), r"unknown \['tset'\]"),
    (dict(task="classes"), "downstream.task: expected one of"),
    (dict(real_scope="real"), "downstream.real_scope and downstream.real_scopes: both set"),
])
def test_bad_settings_are_one_line_errors(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        _build(tmp_path, **options)


def test_classes_must_be_whole_numbers_and_the_draw_no_larger_than_the_folder(tmp_path):
    (tmp_path / "gaze").mkdir()
    downstream = _build(tmp_path / "gaze")
    csv = tmp_path / "gaze" / "real" / "labels.csv"
    csv.write_text(csv.read_text().replace(",1\n", ",0.5\n"))
    with pytest.raises(ValueError, match="task = 'classification': expected one class number"):
        downstream.evaluate(None, step=0)
    with pytest.raises(ValueError, match=r"has only 40 examples; 41 were asked for "
                                         r"\(downstream.train_examples\)"):
        _build(tmp_path, train_examples=41).evaluate(None, step=0)
