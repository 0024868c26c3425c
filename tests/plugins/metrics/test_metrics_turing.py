"""The automated visual Turing test: Wilson interval and known answers on the toy eyes."""

import math

import gin
import numpy as np
import pytest
from PIL import Image

import toy_gaze_data
from simgan.core.evaluation import Domains
from simgan.core.registries import EVALUATORS
from simgan.plugins.eyes import image_folder  # noqa: F401  (registers image_folder)
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
        toy_gaze_data.ideal_refiner(), step=0)
    # Raw synthetic is trivially told from the brighter, noisy real domain ...
    assert results["synthetic/accuracy"] > 0.95
    # ... while the ideal refiner's output is indistinguishable: chance, inside the interval.
    assert 0.4 < results["refined/accuracy"] < 0.6
    assert (results["refined/accuracy_ci_low"] < 0.5
            < results["refined/accuracy_ci_high"])
    assert results["refined/accuracy_ci_high"] - results["refined/accuracy_ci_low"] < 0.11  # n=400


def test_c2st_compares_with_the_run_s_domains_unless_told_otherwise(tmp_path):
    """Issue 18: with the run's real domain an image folder, the realism metrics still drew the
    simulator's eyes. A deliberately broken simulator binding shows it is never built."""
    for i in range(12):
        Image.fromarray(np.full((20, 24), 20 * i, np.uint8)).save(tmp_path / f"{i}.png")
    gin.parse_config(f"real/image_folder.path = '{tmp_path}'\n"
                     "image_folder.height = 20\nimage_folder.width = 24\n"
                     "eye_simulator.domain = 'broken'\n"
                     "train_domain_classifier.steps = 5\ndomain_classifier.filters = (4,)\n"
                     "domain_classifier.feature_units = 4\n")
    run = Domains(synthetic="toy_gaze_eyes", real="image_folder")
    c2st = EVALUATORS.build("c2st", seed=0, output_dir=str(tmp_path), domains=run,
                            train_examples=6, test_examples=6)
    assert c2st.datasets == {"real": ("image_folder", "real"),
                             "synthetic": ("toy_gaze_eyes", "synthetic")}
    assert 0.0 <= c2st.evaluate(None, step=0)["synthetic/accuracy"] <= 1.0
    # Told otherwise, it builds the dataset it was told (broken here) at once.
    with pytest.raises(ValueError, match="eye_simulator: domain must be one of"):
        EVALUATORS.build("c2st", seed=0, output_dir=str(tmp_path), domains=run,
                         real_dataset="eye_simulator", real_scope="heldout",
                         train_examples=6, test_examples=6)


def test_a_real_set_too_small_fails_when_the_evaluator_is_built_not_after_training(tmp_path):
    for i in range(12):
        Image.fromarray(np.full((20, 24), 20 * i, np.uint8)).save(tmp_path / f"{i}.png")
    gin.parse_config(f"real/image_folder.path = '{tmp_path}'\n"
                     "image_folder.height = 20\nimage_folder.width = 24\n")
    run = Domains(synthetic="toy_gaze_eyes", real="image_folder")
    with pytest.raises(ValueError, match=r"'image_folder' \(gin scope 'real'\) has only 12 "
                                         "examples; 16 were asked for"):
        EVALUATORS.build("c2st", seed=0, output_dir=str(tmp_path), domains=run,
                         train_examples=8, test_examples=8)
