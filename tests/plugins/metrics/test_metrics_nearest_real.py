"""The memorisation check: nearest neighbours and the Mann-Whitney z against brute force, the
data-copying test on copies, fresh samples and misfits, and the evaluator with its panel."""

import itertools
import math

import gin
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import toy_gaze_data
from simgan.core import data, seeds
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import copying


def test_nearest_matches_brute_force():
    rng = np.random.default_rng(0)
    queries, reference = rng.normal(size=(6, 3)), rng.normal(size=(9, 3))
    distances, index = copying.nearest(queries, reference)
    for q, d, i in zip(queries, distances, index):
        assert d == pytest.approx(min(math.dist(q, r) for r in reference))
        assert d == pytest.approx(math.dist(q, reference[i]))


def test_mann_whitney_z_counts_pairs():
    generated, heldout = np.array([0.1, 0.5, 0.5, 2.0]), np.array([0.5, 1.0, 3.0])
    u = sum(1.0 if g > h else 0.5 if g == h else 0.0
            for g, h in itertools.product(generated, heldout))
    expected = (u - 4 * 3 / 2) / math.sqrt(4 * 3 * 8 / 12)
    assert copying.mann_whitney_z(generated, heldout) == pytest.approx(expected)


def test_copying_statistic_flags_copies_and_misfits():
    rng = np.random.default_rng(1)
    train, heldout = rng.normal(size=(400, 2)), rng.normal(size=(400, 2))
    statistic = lambda generated: copying.copying_statistic(  # noqa: E731
        train, heldout, generated, num_cells=5, seed=0)
    copies = train[rng.integers(0, 400, 400)] + rng.normal(0, 1e-3, (400, 2))
    assert statistic(copies) < -10
    assert abs(statistic(rng.normal(size=(400, 2)))) < 3
    assert statistic(rng.normal(0.0, 2.0, size=(400, 2))) > 3


def test_copying_statistic_without_a_testable_cell_is_nan(caplog):
    rng = np.random.default_rng(2)
    train = rng.normal(size=(50, 2))
    assert math.isnan(copying.copying_statistic(train, train[:10], train[:5], num_cells=2,
                                                seed=0))
    assert "C_T is undefined" in caplog.text


def _evaluator(tmp_path):
    return EVALUATORS.build("nearest_real", seed=0, output_dir=str(tmp_path),
                            domains=toy_gaze_data.DOMAINS, features="pixels", examples=200,
                            num_cells=5, panel_images=4)


def test_nearest_real_evaluator_known_answers_and_panel(tmp_path):
    gin.parse_config(toy_gaze_data.TINY_DOMAIN_CLASSIFIER)
    evaluator = _evaluator(tmp_path)
    fresh = evaluator.evaluate(toy_gaze_data.ideal_refiner(), 7)
    assert abs(fresh["refined/copying_ct"]) < 3
    assert fresh["refined/distance_ratio"] == pytest.approx(1.0, abs=0.1)
    # Raw synthetic eyes are far from every real one: a misfit, not a copy.
    assert fresh["synthetic/copying_ct"] > 3 and fresh["synthetic/distance_ratio"] > 1.2
    panel = np.asarray(Image.open(tmp_path / "step_000007.png"))
    assert panel.ndim == 3 and panel.shape[1] > panel.shape[0]  # 4 columns, 2 rows
    # A refiner returning the reference real images (the first half of the real draw).
    real = data.take("toy_gaze_eyes", "real", seeds.STREAMS["realism_real"], 200)[data.IMAGE_KEY]
    reference = tf.constant(real[:100])
    copier = toy_gaze_data.function_refiner(
        lambda x: tf.gather(reference, tf.range(tf.shape(x)[0]) % 100))
    copied = evaluator.evaluate(copier, 8)
    assert copied["refined/copying_ct"] < -5 and copied["refined/distance_ratio"] == 0.0
    assert (tmp_path / "step_000008.png").exists()


def test_nearest_real_needs_enough_examples_per_cell(tmp_path):
    with pytest.raises(ValueError, match="nearest_real.examples: the data-copying test needs "
                                         ">= 200"):
        EVALUATORS.build("nearest_real", seed=0, output_dir=str(tmp_path),
                         domains=toy_gaze_data.DOMAINS, features="pixels", examples=100)
