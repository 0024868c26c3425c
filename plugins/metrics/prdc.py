"""`prdc`: precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et
al. 2020) of generated images against real ones, in a chosen feature space.

Each real feature vector X_i has a ball reaching its k-th nearest real neighbour (radius
NND_k(X_i), itself not counted); likewise each generated Y_j among the generated. Balls are
closed (a point at exactly the radius is inside), as in Kynkäänniemi et al.'s definition.

- precision: the fraction of Y_j inside some real ball (realism);
- recall: the fraction of X_i inside some generated ball (diversity);
- density: the mean number of real balls holding a Y_j, over k (1 for matching distributions;
  unlike precision it is not fooled by real outliers with large balls);
- coverage: the fraction of X_i whose ball holds some Y_j.

Keys: ``{synthetic,refined}/{precision,recall,density,coverage}``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.spatial import distance

from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics.feature_metrics import FeatureEvaluator


def neighbour_radii(x: np.ndarray, k: int) -> np.ndarray:
    """The distance from each row of ``x`` [n, d] to its k-th nearest other row: [n]."""
    if not 1 <= k < len(x):
        raise ValueError(f"prdc.nearest_k: expected 1 <= k < {len(x)} (the set's size); got {k}")
    distances = distance.cdist(x, x)
    np.fill_diagonal(distances, np.inf)
    return np.partition(distances, k - 1, axis=1)[:, k - 1]


def precision_recall_density_coverage(real: np.ndarray, fake: np.ndarray,
                                      nearest_k: int) -> dict[str, float]:
    """The four metrics of feature sets ``real`` [n, d] and ``fake`` [m, d], k = ``nearest_k``."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    distances = distance.cdist(real, fake)  # [n, m]
    in_real_ball = distances <= neighbour_radii(real, nearest_k)[:, None]
    in_fake_ball = distances <= neighbour_radii(fake, nearest_k)[None, :]
    return {"precision": float(in_real_ball.any(axis=0).mean()),
            "recall": float(in_fake_ball.any(axis=1).mean()),
            "density": float(in_real_ball.sum(axis=0).mean() / nearest_k),
            "coverage": float(in_real_ball.any(axis=1).mean())}


@EVALUATORS.register("prdc")
@dataclasses.dataclass(kw_only=True, eq=False)
class PrecisionRecallDensityCoverage(FeatureEvaluator):
    """Precision, recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020) of
    refined (and raw synthetic) vs real images in the feature space ``features``; ``nearest_k``
    = 5, Naeem et al.'s choice (Kynkäänniemi et al. used 3)."""

    NAME = "prdc"
    nearest_k: int = 5

    def _compare(self, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
        return precision_recall_density_coverage(real, fake, self.nearest_k)
