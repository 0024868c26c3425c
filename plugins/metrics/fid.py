"""`fid`: the Fréchet Inception Distance (Heusel et al. 2017) in a chosen feature space.

FID is the Fréchet distance between Gaussians fitted to two sets of features,
|mu_x - mu_y|^2 + Tr(C_x + C_y - 2 (C_x C_y)^(1/2)). It is biased: it falls as the sample
grows, so values are comparable only at the same ``examples``. On InceptionV3 features
(``features='inception'``, the default) it is FID as defined; on a domain classifier's
(``'classifier'``) it is comparable only between runs with the same classifier settings and seed.

Keys: ``{synthetic,refined}/fid``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import linalg

from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics.feature_metrics import FeatureEvaluator


def covariance_factor(x: np.ndarray) -> np.ndarray:
    """F with F^T F the unbiased covariance of the rows of ``x`` [n, d], with min(n, d) rows:
    the centred rows / sqrt(n - 1) when n <= d, else sqrt(eigenvalues) x eigenvectors^T."""
    centred = x - x.mean(axis=0)
    if len(x) <= x.shape[1]:
        return centred / np.sqrt(len(x) - 1)
    eigenvalues, vectors = linalg.eigh(centred.T @ centred / (len(x) - 1))
    return np.sqrt(np.clip(eigenvalues, 0.0, None))[:, None] * vectors.T


def frechet_distance(x: np.ndarray, y: np.ndarray) -> float:
    """The Fréchet distance of Gaussians fitted to feature sets x [n, d] and y [m, d].

    Tr (C_x C_y)^(1/2) is computed exactly as the sum of the singular values of F_y F_x^T
    (C = F^T F, ``covariance_factor``): C_x C_y and (F_y F_x^T)^T (F_y F_x^T) share their
    non-zero eigenvalues. This equals Tr scipy.linalg.sqrtm(C_x @ C_y) but stays real and finite
    for the singular covariances of fewer samples than dimensions, without the eps offset of
    the reference code, and costs min(n, d)^3 rather than d^3."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if min(len(x), len(y)) < 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"fid: needs >= 2 feature vectors of one dimension per set; got shapes "
                         f"{x.shape} and {y.shape}")
    fx, fy = covariance_factor(x), covariance_factor(y)
    trace_sqrt_product = linalg.svdvals(fy @ fx.T).sum()
    return float(np.sum((x.mean(axis=0) - y.mean(axis=0)) ** 2) + np.sum(fx ** 2)
                 + np.sum(fy ** 2) - 2.0 * trace_sqrt_product)


@EVALUATORS.register("fid")
@dataclasses.dataclass(kw_only=True, eq=False)
class FID(FeatureEvaluator):
    """FID (Heusel et al. 2017) of real vs refined (and raw synthetic) images in the feature
    space ``features``: 'inception' as defined, 'classifier' or 'pixels' (docs/EVALUATION.md)."""

    NAME = "fid"

    def _compare(self, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
        return {"fid": frechet_distance(real, fake)}
