"""The downstream evaluator on the suite's pairs at tiny sizes, with hand-made refiners."""

import json
import types

import gin
import numpy as np
import pytest
import tensorflow as tf

from simgan.core import data
from simgan.core.registries import EVALUATORS
from simgan.plugins import eyes  # noqa: F401  (registers eye_simulator)
from simgan.plugins import domains  # noqa: F401  (registers the suite and 'downstream')
from simgan.plugins.domains import evaluator, task_model
from toy_gaze_data import function_refiner

PHOTOS = """
synthetic/photo_orientation.domain = 'synthetic'
real/photo_orientation.domain = 'real'
real/photo_orientation.num_examples = 48
photo_orientation.height = 8
photo_orientation.width = 8
photo_orientation.channels = 1
task_model.filters = (8,)
task_model.dense_units = 16
"""
DOMAINS = types.SimpleNamespace(synthetic="photo_orientation", real="photo_orientation",
                                synthetic_scope="synthetic", real_scope="real")


def _refiner(function):
    return function_refiner(function, shape=(8, 8, 1))


def _build(tmp_path, steps, **kwargs):
    gin.parse_config(PHOTOS + f"train_task_model.steps = {steps}")
    options = dict(domains=DOMAINS, label_key="quarter_turn", train_examples=256,
                   test_examples=200, num_seeds=1)
    options.update(kwargs)
    return EVALUATORS.build("downstream", seed=0, output_dir=str(tmp_path), **options)


def test_identity_matches_synthetic_a_blank_refiner_falls_to_a_constant_guess(tmp_path):
    downstream = _build(tmp_path, steps=150)
    same = downstream.evaluate(_refiner(lambda x: x), step=3)
    for key in ("accuracy", "accuracy_std", "validation_accuracy"):
        assert same[f"refined/{key}"] == same[f"synthetic/{key}"]
    assert same["synthetic/accuracy"] > 0.55  # chance is 0.5: the edges' cue carries over
    assert 0.0 <= same["oracle/accuracy"] <= 1.0
    blank = downstream.evaluate(_refiner(lambda x: 0.0 * x), step=4)
    assert blank["synthetic/accuracy"] == same["synthetic/accuracy"]  # cached
    # One class for every image: the share of that class in the test split, below the above.
    assert blank["refined/accuracy"] < same["synthetic/accuracy"]
    record = json.loads((tmp_path / "step_000004.json").read_text())
    assert record["results"]["oracle"]["accuracy_per_seed"] == [same["oracle/accuracy"]]
    assert record["num_seeds"] == 1 and set(record["results"]) == {"synthetic", "oracle",
                                                                      "refined"}


def test_float_labels_are_a_regression_scored_by_mse(tmp_path):
    gin.parse_config("""
real/eye_domains.domain = 'real'
real/eye_domains.num_examples = 16
eye_domains.height = 8
eye_domains.width = 12
train_task_model.steps = 3
task_model.filters = (4,)
task_model.dense_units = 8
""")
    results = EVALUATORS.build(
        "downstream", seed=0, output_dir=str(tmp_path), synthetic_dataset="eye_domains",
        real_dataset="eye_domains", label_key="gaze", train_examples=32, test_examples=16,
        num_seeds=2, include_oracle=False).evaluate(None, step=0)
    assert sorted(results) == ["synthetic/mse", "synthetic/mse_std", "synthetic/validation_mse",
                               "synthetic/validation_mse_std"]
    assert 0.0 < results["synthetic/mse"] < 4.0  # unit vectors: at most 4 apart, squared


def test_task_models_see_train_and_test_images_in_the_task_input_range(tmp_path, monkeypatch):
    """(0, 1): every image a task model is trained or scored on is (x + 1) / 2 of the dataset's;
    the figures change with it (another baseline), and a bad range is a one-line error."""
    seen = []
    train, score = task_model.train_task_model, task_model.Task.score
    monkeypatch.setattr(task_model, "train_task_model",
                        lambda model, images, labels, **kw: seen.append(images) or
                        train(model, images, labels, **kw))
    monkeypatch.setattr(task_model.Task, "score",
                        lambda self, model, images, labels: seen.append(images) or
                        score(self, model, images, labels))
    signed = _build(tmp_path, steps=20).evaluate(None, step=0)
    low = [float(images.min()) for images in seen]
    seen.clear()
    unit = _build(tmp_path, steps=20, task_input_range=(0.0, 1.0)).evaluate(None, step=0)
    assert len(seen) == 6 and min(low) < -0.5  # 2 rows x (train + 2 test splits)
    for images in seen:
        assert images.dtype == np.float32 and images.min() >= 0.0 and images.max() <= 1.0
    assert unit["synthetic/accuracy"] != signed["synthetic/accuracy"]
    with pytest.raises(ValueError, match=r"downstream.task_input_range: expected \(low, high\)"):
        _build(tmp_path, steps=1, task_input_range=(1.0, 1.0))


def test_missing_settings_and_wrong_datasets_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="downstream.label_key: not set"):
        EVALUATORS.build("downstream", seed=0, output_dir=str(tmp_path), domains=DOMAINS)
    with pytest.raises(ValueError, match="downstream.synthetic_dataset: not bound, and no run's "
                                         "domains were given"):
        EVALUATORS.build("downstream", seed=0, output_dir=str(tmp_path), label_key="gaze")
    with pytest.raises(ValueError, match="real dataset 'eye_simulator' has no 'split' and "
                                         "'num_examples' parameters"):
        EVALUATORS.build("downstream", seed=0, output_dir=str(tmp_path), label_key="gaze",
                         synthetic_dataset="eye_domains", real_dataset="eye_simulator")
    downstream = _build(tmp_path, steps=1, label_key="gaze")
    with pytest.raises(ValueError, match="split 'train'.* has no 'gaze' entry"):
        downstream.evaluate(None, step=0)


def test_a_dataset_off_the_contract_is_named_with_its_scope_and_split():
    images = tf.data.Dataset.from_tensor_slices({"image": np.zeros((2, 4, 4, 1), np.uint8)})
    with pytest.raises(data.DatasetContractError,
                       match=r"^Dataset 'mine' \(gin scope 'real', split 'train'\) must yield "
                             r"dicts with a float32 \[H, W, C\] 'image' entry"):
        evaluator.check_labelled(images, data.describe("mine", "real", "split 'train'"),
                                 "quarter_turn", "downstream")
