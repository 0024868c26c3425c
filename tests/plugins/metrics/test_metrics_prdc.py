"""Precision, recall, density and coverage: hand-computed answers on a tiny point set, a
brute-force check of the definitions, and the evaluator on the toy eyes in pixel space."""

import itertools
import math

import gin
import numpy as np
import pytest

import toy_gaze_data
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import prdc


def _brute_force(real, fake, k):
    """The papers' definitions, pair by pair (closed balls)."""
    def radius(points, i):
        return sorted(math.dist(points[i], p) for j, p in enumerate(points) if j != i)[k - 1]

    real_r = [radius(real, i) for i in range(len(real))]
    fake_r = [radius(fake, j) for j in range(len(fake))]
    inside = [[math.dist(x, y) <= real_r[i] for y in fake] for i, x in enumerate(real)]
    return {"precision": np.mean([any(inside[i][j] for i in range(len(real)))
                                  for j in range(len(fake))]),
            "recall": np.mean([any(math.dist(x, y) <= fake_r[j] for j, y in enumerate(fake))
                               for x in real]),
            "density": sum(itertools.chain(*inside)) / (k * len(fake)),
            "coverage": np.mean([any(row) for row in inside])}


def test_unit_square_known_answers():
    real = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # every radius (k=1) is 1
    # (0.5, 0.5) is in all four real balls, (3, 3) in none; (2, 0) lies exactly on the rim of
    # the ball of (1, 0): closed balls count it.
    fake = np.array([[0.5, 0.5], [3.0, 3.0], [2.0, 0.0]])
    assert prdc.precision_recall_density_coverage(real, fake, nearest_k=1) == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "density": 5 / 3, "coverage": 1.0})


@pytest.mark.parametrize("k", [1, 2, 3])
def test_matches_the_definitions_on_random_sets(k):
    rng = np.random.default_rng(k)
    real, fake = rng.normal(size=(12, 3)), rng.normal(0.7, 1.3, size=(9, 3))
    assert prdc.precision_recall_density_coverage(real, fake, k) == pytest.approx(
        _brute_force(real.tolist(), fake.tolist(), k))


def test_nearest_k_must_fit_the_sets():
    with pytest.raises(ValueError, match="prdc.nearest_k: expected 1 <= k < 4"):
        prdc.precision_recall_density_coverage(np.zeros((4, 2)), np.zeros((9, 2)), nearest_k=4)


def test_prdc_evaluator_known_answers(tmp_path):
    gin.parse_config(toy_gaze_data.TINY_DOMAIN_CLASSIFIER)
    evaluator = EVALUATORS.build("prdc", seed=0, output_dir=str(tmp_path),
                                 domains=toy_gaze_data.DOMAINS, features="pixels", examples=200)
    results = evaluator.evaluate(toy_gaze_data.ideal_refiner(), 0)
    # Raw synthetic eyes (noise-free, darker) lie off the real manifold in pixel space ...
    assert max(results[f"synthetic/{key}"] for key in ("precision", "recall", "density",
                                                        "coverage")) < 0.02
    # ... the ideal refiner's output is a fresh sample of the real distribution.
    assert min(results[f"refined/{key}"] for key in ("precision", "recall", "coverage")) > 0.9
    assert results["refined/density"] == pytest.approx(1.0, abs=0.1)
