"""`kid`: the Kernel Inception Distance (Binkowski et al. 2018) in a chosen feature space.

KID is the unbiased estimate of MMD^2 with the cubic polynomial kernel
k(x, y) = (x.y / d + 1)^3, d the feature dimension. It is computed on ``num_subsets`` disjoint
subsets, so the estimates are independent and their standard error is std / sqrt(num_subsets).
On InceptionV3 features (``features='inception'``, the default) it is KID as defined; on a
domain classifier's features (``'classifier'``) it is comparable only between runs with the
same classifier settings and seed.

Keys: ``{synthetic,refined}/kid`` and ``.../kid_se``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics.feature_metrics import FeatureEvaluator


def polynomial_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a.b / d + 1)^3 for every pair of rows; [m, d] x [n, d] -> [m, n]."""
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between feature sets x [m, d] and y [n, d] (m, n >= 2)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m, n = len(x), len(y)
    kxx, kyy = polynomial_kernel(x, x), polynomial_kernel(y, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * polynomial_kernel(x, y).mean())


def kid(x: np.ndarray, y: np.ndarray, *, num_subsets: int = 10, subset_size: int | None = None,
        seed: int = 0) -> tuple[float, float]:
    """(mean, standard error) of MMD^2 over ``num_subsets`` disjoint random subsets."""
    size = subset_size or min(len(x), len(y)) // num_subsets
    if num_subsets < 2 or size < 2 or num_subsets * size > min(len(x), len(y)):
        raise ValueError(f"kid: {num_subsets} disjoint subsets of {size} need at least "
                         f"{num_subsets * max(size, 2)} rows per set (>= 2 subsets of >= 2); "
                         f"got {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    px, py = rng.permutation(len(x)), rng.permutation(len(y))
    estimates = [mmd2_unbiased(x[px[i * size:(i + 1) * size]], y[py[i * size:(i + 1) * size]])
                 for i in range(num_subsets)]
    return float(np.mean(estimates)), float(np.std(estimates, ddof=1) / np.sqrt(num_subsets))


@EVALUATORS.register("kid")
@dataclasses.dataclass(kw_only=True, eq=False)
class KID(FeatureEvaluator):
    """KID (Binkowski et al. 2018) of real vs refined (and raw synthetic) images in the feature
    space ``features``: 'inception' as defined, 'classifier' or 'pixels' (docs/EVALUATION.md)."""

    NAME = "kid"
    num_subsets: int = 10
    subset_size: int | None = None

    def _compare(self, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
        value, se = kid(real, fake, num_subsets=self.num_subsets, subset_size=self.subset_size,
                        seed=self.seed)
        return {"kid": value, "kid_se": se}
