"""Real and synthetic images drawn once from registered datasets, and refined on demand.

Draws are one pass over each dataset, sliced into disjoint parts (train / test), so the parts
never share an image even when the dataset is a fixed file rather than an endless simulator.
"""

from __future__ import annotations

import numpy as np

from simgan.core import data


def take_images(dataset_name: str, scope: str, seed: int, count: int) -> np.ndarray:
    """The first ``count`` images [count, H, W, C] of registered dataset ``dataset_name``."""
    dataset = data.build(dataset_name, scope, seed).map(lambda e: e[data.IMAGE_KEY])
    images = next(iter(dataset.batch(count).take(1))).numpy()
    if len(images) < count:
        raise ValueError(f"Dataset {dataset_name!r} (gin scope {scope!r}) has only {len(images)} "
                         f"images; {count} were asked for")
    return images


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
            self._arrays[domain] = take_images(name, scope, seed, self._count)
        return self._arrays[domain]
