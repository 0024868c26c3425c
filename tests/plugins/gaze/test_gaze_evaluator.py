"""The gaze experiment evaluator on the toy eye dataset with hand-made refiners."""

import json

import pytest
from PIL import Image

import toy_gaze_data
from simgan.core.registries import EVALUATORS
from simgan.plugins.gaze import evaluator  # noqa: F401  (registers 'gaze')


def _build(tmp_path, **kwargs):
    toy_gaze_data.bind_tiny_estimator()
    options = dict(train_examples=256, test_examples=200, num_seeds=2)
    options.update(kwargs)
    return EVALUATORS.build("gaze", seed=0, output_dir=str(tmp_path),
                            domains=toy_gaze_data.DOMAINS, **options)


def test_identity_matches_synthetic_and_a_destructive_refiner_hurts(tmp_path):
    gaze = _build(tmp_path)
    same = gaze.evaluate(toy_gaze_data.identity_refiner(), step=5)
    for metric in ("error_deg", "error_deg_std", "within_7deg_pct", "within_7deg_pct_std"):
        assert same[f"refined_1x/{metric}"] == pytest.approx(
            same[f"synthetic_1x/{metric}"], abs=1e-3)
    assert same["synthetic_1x/error_deg"] < 12.0  # the toy set's mean-gaze error is ~20
    blank = gaze.evaluate(toy_gaze_data.function_refiner(lambda x: 0.0 * x), step=6)
    assert blank["synthetic_1x/error_deg"] == same["synthetic_1x/error_deg"]  # cached
    assert blank["refined_1x/error_deg"] > 2 * same["synthetic_1x/error_deg"]

    record = json.loads((tmp_path / "step_000006.json").read_text())
    assert record["thresholds_deg"] == list(map(float, range(21)))
    curve = record["results"]["refined_1x"]["curve"]
    assert len(curve) == 21 and curve == sorted(curve) and curve[-1] <= 1.0
    assert len(record["results"]["synthetic_1x"]["error_deg_per_seed"]) == 2
    with Image.open(tmp_path / "step_000006.png") as plot:
        assert plot.size == (640, 440)


def test_data_multipliers_and_no_refiner(tmp_path):
    gaze = _build(tmp_path, train_examples=128, data_multipliers=(1, 2), num_seeds=1)
    results = gaze.evaluate(None, step=0)
    assert sorted(k for k in results if k.endswith("/error_deg")) == [
        "synthetic_1x/error_deg", "synthetic_2x/error_deg"]


def test_unlabelled_test_set_fails_when_built_naming_the_binding(tmp_path):
    # When built, i.e. before a run trains, not at its evaluation after training.
    import toy_data  # noqa: F401  (toy_squares has no gaze label)
    with pytest.raises(ValueError, match=r"^gaze.test_dataset: Dataset 'toy_squares' \(gin "
                                         r"scope 'real'\) has no 'gaze' entry.*gaze labels"):
        _build(tmp_path, test_dataset="toy_squares")


def test_too_small_dataset_is_a_clear_error(tmp_path):
    gaze = _build(tmp_path, train_examples=1000)
    with pytest.raises(ValueError, match="only 512 examples; 1000 were asked for"):
        gaze.evaluate(None, step=0)


def test_validation_split_draws_other_test_images_than_the_test_split(tmp_path):
    import numpy as np
    test = _build(tmp_path)._data("test")["image"]
    validation = _build(tmp_path, test_split="validation")._data("test")["image"]
    assert test.shape == validation.shape and not np.allclose(test, validation)
    with pytest.raises(ValueError, match="gaze.test_split"):
        _build(tmp_path, test_split="train")


def test_oracle_row_is_trained_on_the_test_domain_once(tmp_path):
    gaze = _build(tmp_path, include_oracle=True, num_seeds=1, train_examples=128)
    first = gaze.evaluate(None, step=1)  # the oracle row does not depend on the refiner
    assert 0 < first["oracle_1x/error_deg"] < 90
    again = gaze.evaluate(None, step=2)
    assert again["oracle_1x/error_deg"] == first["oracle_1x/error_deg"]


def test_report_validation_tests_the_same_estimators_on_both_draws(tmp_path):
    options = dict(num_seeds=1, train_examples=128)
    both = _build(tmp_path / "both", report_validation=True, **options).evaluate(None, step=0)
    test = _build(tmp_path / "test", **options).evaluate(None, step=0)
    validation = _build(tmp_path / "val", test_split="validation", **options).evaluate(None, step=0)
    assert both["synthetic_1x/error_deg"] == pytest.approx(test["synthetic_1x/error_deg"])
    assert both["synthetic_1x/validation_error_deg"] == pytest.approx(
        validation["synthetic_1x/error_deg"])
    assert both["synthetic_1x/validation_error_deg"] != both["synthetic_1x/error_deg"]
    with pytest.raises(ValueError, match="gaze.report_validation"):
        _build(tmp_path, test_split="validation", report_validation=True)
