"""`classifier_kid`: the KID estimator (Binkowski et al. 2018) on features of a network trained
here, not on Inception features, so its values are not comparable with published KID (the old
name `kid` is a deprecated alias).

KID is the unbiased estimate of MMD^2 with the cubic polynomial kernel
k(x, y) = (x.y / d + 1)^3, d the feature dimension. It is computed on ``num_subsets`` disjoint
subsets, so the estimates are independent and their standard error is std / sqrt(num_subsets).
No Inception weights exist offline, so the features are the penultimate layer of a domain
classifier trained once (seeded) on raw synthetic vs real images from a split disjoint from the
one scored.

Keys: ``{synthetic,refined}/kid`` and ``.../kid_se``.
"""

from __future__ import annotations

import keras
import numpy as np
from absl import logging

from simgan.core import evaluation
from simgan.core.evaluation import Domains
from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import classifier
from simgan.plugins.metrics.samples import RealVsSynthetic


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


@EVALUATORS.register("classifier_kid")
class ClassifierKID(RealVsSynthetic):
    """KID of real vs refined (and raw synthetic) on a trained domain classifier's features,
    not Inception's: not comparable with published KID (docs/EVALUATION.md)."""

    def __init__(self, *, seed: int, output_dir: str, domains: Domains, real_dataset: str = "eye_simulator",
                 real_scope: str = "real", synthetic_dataset: str = "eye_simulator",
                 synthetic_scope: str = "synthetic", feature_train_examples: int = 2000,
                 examples: int = 2000, num_subsets: int = 10, subset_size: int | None = None,
                 include_synthetic: bool = True, refine_batch_size: int = 256):
        del domains  # TODO-merge: the run's domains (issue 18)
        del output_dir  # all results are scalars
        super().__init__(seed=seed, count=feature_train_examples + examples,
                         real_dataset=real_dataset, real_scope=real_scope,
                         synthetic_dataset=synthetic_dataset, synthetic_scope=synthetic_scope,
                         include_synthetic=include_synthetic, refine_batch_size=refine_batch_size)
        self._split = feature_train_examples
        self._subsets = dict(num_subsets=num_subsets, subset_size=subset_size, seed=seed)
        self._features: keras.Model | None = None
        self._real_features: np.ndarray | None = None

    def _setup(self) -> None:
        """Trains the feature network on the first split of raw synthetic vs real images."""
        real, synthetic, n = self._samples["real"], self._samples["synthetic"], self._split
        logging.info("kid: training the feature network on %d + %d images", n, n)
        model = classifier.domain_classifier(input_shape=real.shape[1:], seed=self._seed)
        classifier.train_domain_classifier(model, real[:n], synthetic[:n], seed=self._seed)
        self._features = classifier.feature_extractor(model)
        self._real_features = self._embed(real[n:])

    def _embed(self, images: np.ndarray) -> np.ndarray:
        return evaluation.predict(self._features, images, 512).astype(np.float64)

    def _synthetic(self) -> np.ndarray:
        """The held-out synthetic split (the first trained the feature network)."""
        if self._features is None:
            self._setup()
        return self._samples["synthetic"][self._split:]

    def _score(self, source: str, images: np.ndarray) -> dict[str, float]:
        """KID between the held-out real features and those of ``images``."""
        value, se = kid(self._real_features, self._embed(images), **self._subsets)
        return {f"{source}/kid": value, f"{source}/kid_se": se}
