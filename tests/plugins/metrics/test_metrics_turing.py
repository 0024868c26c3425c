"""The automated visual Turing test: Wilson interval and known answers on the toy eyes."""

import math

import gin
import pytest

import toy_gaze_data
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import turing_classifier


def test_wilson_interval_matches_the_formula():
    accuracy, low, high = turing_classifier.accuracy_with_interval(80, 100, 0.95)
    z, p, n = 1.959963984540054, 0.8, 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert accuracy == 0.8
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-9)


def test_turing_test_known_answers(tmp_path):
    gin.parse_config(toy_gaze_data.TINY_DOMAIN_CLASSIFIER)
    evaluator = EVALUATORS.build(
        "c2st", seed=0, output_dir=str(tmp_path), domains=toy_gaze_data.DOMAINS,
        train_examples=256, test_examples=200)
    results = evaluator.evaluate(
        toy_gaze_data.function_refiner(toy_gaze_data.to_real_like), step=0)
    # Raw synthetic is trivially told from the brighter, noisy real domain ...
    assert results["synthetic/accuracy"] > 0.95
    # ... while the ideal refiner's output is indistinguishable: chance, inside the interval.
    assert 0.4 < results["refined/accuracy"] < 0.6
    assert (results["refined/accuracy_ci_low"] < 0.5
            < results["refined/accuracy_ci_high"])
    assert results["refined/accuracy_ci_high"] - results["refined/accuracy_ci_low"] < 0.11  # n=400
