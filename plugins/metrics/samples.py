"""Real and synthetic images drawn once from registered datasets, and refined on demand.

Draws are one pass over each dataset, sliced into disjoint parts (train / test), so the parts
never share an image even when the dataset is a fixed file rather than an endless simulator.
"""

from __future__ import annotations

import keras
import numpy as np

from simgan.core import data
from simgan.core.evaluation import refine


class DomainSamples:
    """Lazily drawn real and synthetic image arrays, ``count`` of each, cached."""

    def __init__(self, *, seed: int, count: int, real_dataset: str, real_scope: str,
                 synthetic_dataset: str, synthetic_scope: str):
        self._sources = {"real": (real_dataset, real_scope, seed + 505),
                         "synthetic": (synthetic_dataset, synthetic_scope, seed + 606)}
        self._count = count
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, domain: str) -> np.ndarray:
        if domain not in self._arrays:
            name, scope, seed = self._sources[domain]
            self._arrays[domain] = data.take(name, scope, seed, self._count)[data.IMAGE_KEY]
        return self._arrays[domain]


class RealVsSynthetic:
    """Base of the realism evaluators: scores raw synthetic images against real ones once (the
    reference, independent of the refiner) and refined ones at every evaluation."""

    def __init__(self, *, seed: int, count: int, real_dataset: str, real_scope: str,
                 synthetic_dataset: str, synthetic_scope: str, include_synthetic: bool,
                 refine_batch_size: int):
        self._seed = seed
        self._samples = DomainSamples(seed=seed, count=count, real_dataset=real_dataset,
                                      real_scope=real_scope, synthetic_dataset=synthetic_dataset,
                                      synthetic_scope=synthetic_scope)
        self._include_synthetic = include_synthetic
        self._refine_batch_size = refine_batch_size
        self._reference: dict[str, float] | None = None

    def _synthetic(self) -> np.ndarray:
        """The synthetic images scored, raw and refined (all drawn, unless a subclass splits)."""
        return self._samples["synthetic"]

    def _score(self, source: str, images: np.ndarray) -> dict[str, float]:
        raise NotImplementedError

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        del step
        synthetic = self._synthetic()
        results = {}
        if self._include_synthetic:
            if self._reference is None:
                self._reference = self._score("synthetic", synthetic)
            results.update(self._reference)
        if refiner is not None:
            results.update(self._score("refined",
                                       refine(refiner, synthetic, self._refine_batch_size)))
        return results
