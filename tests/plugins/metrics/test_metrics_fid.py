"""FID: the Fréchet distance against scipy.linalg.sqrtm and closed forms; FID and KID on
InceptionV3 features read from a weights file, with known answers on the toy eyes."""

import gin
import numpy as np
import pytest
from scipy import linalg

import toy_gaze_data
from inception_weights import SIZE as INCEPTION_SIZE
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import fid


def _fid_by_sqrtm(x, y):
    """The reference formula (Heusel et al. 2017), as the TTUR code computes it."""
    cx, cy = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    root = linalg.sqrtm(cx @ cy)
    return (np.sum((x.mean(0) - y.mean(0)) ** 2) + np.trace(cx) + np.trace(cy)
            - 2 * np.trace(root).real)


@pytest.mark.parametrize("n, m, d", [(40, 30, 5), (50, 60, 3), (8, 6, 12), (9, 30, 12)])
def test_frechet_distance_matches_sqrtm(n, m, d):
    rng = np.random.default_rng(d)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    y = rng.normal(0.5, 2.0, size=(m, d))
    assert fid.frechet_distance(x, y) == pytest.approx(_fid_by_sqrtm(x, y), rel=1e-6)


def test_frechet_distance_closed_forms():
    # One dimension: (mu_x - mu_y)^2 + (sigma_x - sigma_y)^2.
    x, y = np.array([[0.0], [2.0]]), np.array([[5.0], [7.0], [9.0]])  # sd sqrt(2) and 2
    assert fid.frechet_distance(x, y) == pytest.approx(6.0 ** 2 + (np.sqrt(2) - 2) ** 2)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 64))  # fewer samples than dimensions: singular covariance
    assert fid.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)
    assert fid.frechet_distance(x, x + 3.0) == pytest.approx(64 * 9.0, rel=1e-9)
    with pytest.raises(ValueError, match="fid: needs >= 2 feature vectors"):
        fid.frechet_distance(x[:1], x)


@pytest.fixture
def inception_bindings(inception):
    gin.parse_config(toy_gaze_data.TINY_DOMAIN_CLASSIFIER
                     + f"inception_features.weights = '{inception[0]}'\n"
                     + f"inception_features.image_size = {INCEPTION_SIZE}\n"
                     + "inception_features.batch_size = 64\n")


def test_fid_and_kid_on_inception_features_known_answers(tmp_path, inception_bindings):
    common = dict(seed=0, output_dir=str(tmp_path), domains=toy_gaze_data.DOMAINS, examples=32)
    fid_eval = EVALUATORS.build("fid", **common)
    identity = fid_eval.evaluate(toy_gaze_data.identity_refiner(), step=0)
    # The identity refiner's output is the raw synthetic set: the same features.
    assert identity["refined/fid"] == pytest.approx(identity["synthetic/fid"], rel=1e-6)
    ideal = toy_gaze_data.ideal_refiner()
    assert fid_eval.evaluate(ideal, step=1)["refined/fid"] < 0.2 * identity["synthetic/fid"]
    kid = EVALUATORS.build("kid", num_subsets=2, **common).evaluate(ideal, step=1)
    print(identity, kid)
    assert kid["synthetic/kid"] > 5 * kid["synthetic/kid_se"]
    assert abs(kid["refined/kid"]) < 0.05 * kid["synthetic/kid"]
