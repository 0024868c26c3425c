"""``label_recovery``: synthetic labels read off refined images, on a suite dataset and on a
folder (no real label anywhere), with hand-made refiners."""

import json
import types

import gin
import numpy as np
import pytest
from PIL import Image

from simgan.core import data
from simgan.core.registries import EVALUATORS
from simgan.plugins import domains  # noqa: F401  (registers the suite and 'label_recovery')
from simgan.plugins import eyes  # noqa: F401  (registers image_folder)
from toy_gaze_data import function_refiner

GLYPHS = """
glyph_domains.height = 8
glyph_domains.width = 8
glyph_domains.letters = 'LT'
task_model.filters = (8,)
task_model.dense_units = 16
train_task_model.steps = 120
"""
DOMAINS = types.SimpleNamespace(synthetic="glyph_domains", real="glyph_domains",
                                synthetic_scope="synthetic", real_scope="real")


def _refiner(function):
    return function_refiner(function, shape=(8, 8, 1))


def _build(tmp_path, **kwargs):
    gin.parse_config(GLYPHS + "synthetic/glyph_domains.domain = 'synthetic'\n")
    options = dict(domains=DOMAINS, label_key="glyph", train_examples=128, test_examples=64,
                   num_seeds=1)
    options.update(kwargs)
    return EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path), **options)


def test_identity_keeps_every_figure_a_blank_refiner_loses_the_label(tmp_path):
    recovery = _build(tmp_path)
    same = recovery.evaluate(_refiner(lambda x: x), step=1)
    assert sorted(same) == ["refined/accuracy", "refined/accuracy_std",
                            "refined/carried_accuracy", "refined/carried_accuracy_std",
                            "synthetic/accuracy", "synthetic/accuracy_std"]
    assert same["synthetic/accuracy"] > 0.9  # L against T: readable in the raw renders
    assert same["refined/accuracy"] == same["synthetic/accuracy"]  # same images, same seeds
    assert same["refined/carried_accuracy"] == same["synthetic/accuracy"]
    blank = recovery.evaluate(_refiner(lambda x: 0.0 * x - 1.0), step=2)
    assert blank["synthetic/accuracy"] == same["synthetic/accuracy"]  # cached
    assert blank["refined/accuracy"] < 0.7 and blank["refined/carried_accuracy"] < 0.7
    record = json.loads((tmp_path / "step_000002.json").read_text())
    assert record["results"]["refined"]["accuracy"] == [blank["refined/accuracy"]]


def test_a_consistent_appearance_change_is_recovered_but_not_carried(tmp_path):
    """Negated letters still hold their label (models trained on them read it), but no longer
    read as the raw letters to the raw-trained models: the two figures answer two questions."""
    flipped = _build(tmp_path).evaluate(_refiner(lambda x: -x), step=0)
    assert flipped["refined/accuracy"] > 0.9
    assert flipped["refined/carried_accuracy"] < flipped["refined/accuracy"] - 0.2


def test_the_two_suite_parts_are_disjoint_draws(tmp_path):
    parts = _build(tmp_path)._draw()
    assert len(parts["train"][data.IMAGE_KEY]) == 128 and len(parts["heldout"]["glyph"]) == 64
    train = {image.tobytes() for image in parts["train"][data.IMAGE_KEY]}
    assert not any(image.tobytes() in train for image in parts["heldout"][data.IMAGE_KEY])


def _folder(path, count):
    """Bright left or right half, label 0 or 1 (a label file's numbers are floats)."""
    rng = np.random.default_rng(0)
    path.mkdir()
    rows = ["file,label"]
    for i in range(count):
        pixels = rng.normal(20, 2, (8, 8))
        pixels[:, 4 * (i % 2):4 * (i % 2) + 4] += 200
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(path / f"{i}.png")
        rows.append(f"{i}.png,{i % 2}")
    (path / "labels.csv").write_text("\n".join(rows) + "\n")
    return str(path)


def test_a_folder_gives_its_first_examples_split_in_order(tmp_path):
    folder = _folder(tmp_path / "synthetic", 30)
    gin.parse_config(f"""
synthetic/image_folder.path = '{folder}'
synthetic/image_folder.labels = 'labels.csv'
image_folder.height = 8
image_folder.width = 8
task_model.filters = (4,)
task_model.dense_units = 8
train_task_model.steps = 60
""")
    recovery = EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path / "out"),
                                synthetic_dataset="image_folder", label_key="label",
                                train_examples=20, test_examples=10, num_seeds=2,
                                task="classification")
    results = recovery.evaluate(_refiner(lambda x: -x), step=0)
    assert results["synthetic/accuracy"] == 1.0 and results["refined/accuracy"] == 1.0
    assert results["refined/carried_accuracy"] == 0.0  # the halves swap brightness
    parts = recovery._draw()
    assert len(parts["train"]["label"]) == 20 and len(parts["heldout"]["label"]) == 10
    assert recovery.datasets == {"synthetic": ("image_folder", "synthetic")}
    with pytest.raises(data.DatasetContractError,
                       match=r"'image_folder' \(gin scope 'synthetic'\) has only 30 examples; "
                             r"40 were asked for \(label_recovery.train_examples \+ "):
        EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path / "out"),
                         synthetic_dataset="image_folder", label_key="label",
                         train_examples=20, test_examples=20).evaluate(None, step=0)


def test_bad_settings_are_one_line_errors(tmp_path):
    with pytest.raises(ValueError, match="label_recovery.label_key: not set"):
        EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path), domains=DOMAINS)
    with pytest.raises(ValueError, match="label_recovery.task: expected one of"):
        _build(tmp_path, task="ranking")
    with pytest.raises(ValueError, match="label_recovery.synthetic_dataset: not bound, and no "
                                         "run's domains were given"):
        EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path), label_key="glyph")
    with pytest.raises(ValueError, match="train_examples/test_examples/num_seeds: expected >= 1"):
        _build(tmp_path, num_seeds=0)
    with pytest.raises(data.DatasetContractError, match="split 'train'.* has no 'gaze' entry"):
        _build(tmp_path, label_key="gaze").evaluate(None, step=0)
    with pytest.raises(ValueError, match="label_recovery.task = 'classification': expected one "
                                         "class number"):
        gin.clear_config()
        gin.parse_config("eye_domains.height = 8\neye_domains.width = 12\n"
                         "synthetic/eye_domains.domain = 'synthetic'\n")
        EVALUATORS.build("label_recovery", seed=0, output_dir=str(tmp_path),
                         synthetic_dataset="eye_domains", label_key="gaze", train_examples=8,
                         test_examples=8, task="classification").evaluate(None, step=0)
