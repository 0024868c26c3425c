"""Base of the evaluators comparing real and generated images as sets of feature vectors
(FID, KID, precision/recall, density/coverage, nearest real neighbours)."""

from __future__ import annotations

import dataclasses

import numpy as np

from simgan.plugins.metrics import features as feature_spaces
from simgan.plugins.metrics.samples import RealVsSynthetic


@dataclasses.dataclass(kw_only=True, eq=False)
class FeatureEvaluator(RealVsSynthetic):
    """Embeds ``examples`` real images once, and the same number of raw synthetic and refined
    ones per evaluation, in the feature space ``features`` (plugins/metrics/features.py); a
    space that trains (``'classifier'``) trains on a further split of each domain, drawn
    before and disjoint from the scored one."""

    features: str = "inception"
    examples: int = 2000

    def __post_init__(self) -> None:
        self._space = feature_spaces.build(self.features, self.NAME)
        super().__post_init__()
        self._embedding: feature_spaces.Embedding | None = None
        self._real_features: np.ndarray | None = None

    def _count(self) -> int:
        return self._space.train_examples + self.examples

    def _setup(self) -> None:
        split = self._space.train_examples
        real, synthetic = self._samples["real"], self._samples["synthetic"]
        self._embedding = self._space.fit(real[:split], synthetic[:split], self.seed)
        self._real_features = self._embedding(real[split:])

    def _synthetic(self) -> np.ndarray:
        """The scored synthetic split (a trained feature space saw the first)."""
        if self._embedding is None:
            self._setup()
        return self._samples["synthetic"][self._space.train_examples:]

    def _real(self) -> np.ndarray:
        """The scored real images, in the order of their features."""
        return self._samples["real"][self._space.train_examples:]

    def _score(self, source: str, images: np.ndarray) -> dict[str, float]:
        return {f"{source}/{key}": value for key, value
                in self._compare(self._real_features, self._embedding(images)).items()}

    def _compare(self, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
        """The metrics of feature sets ``real`` [N, D] and ``fake`` [M, D]."""
        raise NotImplementedError
