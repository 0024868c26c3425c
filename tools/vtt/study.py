"""Study design: the example images every participant sees, and each participant's test sequence.

Everything is drawn from the study seed, so a study is reproducible: the examples from `seed`,
participant k's sequence from `(seed, k)`. The examples are never used as test images.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the study's type only: simgan-vtt --help stays free of TensorFlow
    from simgan.tools.vtt.images import Catalog


@dataclasses.dataclass(frozen=True)
class Design:
    """The study's options. Defaults follow the paper's eye study as we understand it.

    images_per_participant: test images shown to each participant (paper: 50 real + 50 refined).
    real_fraction: share of real images in each sequence (paper: one half).
    examples_per_domain: real and refined examples always visible beside the test image.
    seed: draws the examples and every participant's sequence.
    """

    images_per_participant: int = 100
    real_fraction: float = 0.5
    examples_per_domain: int = 10
    seed: int = 0

    def __post_init__(self):
        if not isinstance(self.images_per_participant, int) or self.images_per_participant < 1:
            raise ValueError("images_per_participant: expected an integer >= 1, got "
                             f"{self.images_per_participant!r}")
        if not 0.0 <= self.real_fraction <= 1.0:
            raise ValueError("real_fraction: expected a number in [0, 1], got "
                             f"{self.real_fraction!r}")
        if not isinstance(self.examples_per_domain, int) or self.examples_per_domain < 0:
            raise ValueError("examples_per_domain: expected an integer >= 0, got "
                             f"{self.examples_per_domain!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed: expected an integer >= 0, got {self.seed!r}")

    @property
    def num_real(self) -> int:
        return int(round(self.images_per_participant * self.real_fraction))

    @property
    def num_refined(self) -> int:
        return self.images_per_participant - self.num_real


class Study:
    """Binds a design to a catalog; checks both folders hold enough images."""

    def __init__(self, catalog: Catalog, design: Design):
        self.catalog, self.design = catalog, design
        rng = np.random.default_rng(design.seed)
        self.examples: dict[str, list[str]] = {}
        self._pools: dict[str, list[str]] = {}
        for domain, needed in (("real", design.num_real), ("refined", design.num_refined)):
            ids = catalog.ids(domain)
            if len(ids) < design.examples_per_domain + needed:
                raise ValueError(
                    f"--{domain}: the folder holds {len(ids)} images but the design needs "
                    f"{design.examples_per_domain} examples + {needed} test images; add images "
                    "or lower --examples_per_domain / --images_per_participant")
            order = rng.permutation(len(ids))
            self.examples[domain] = [ids[i] for i in order[:design.examples_per_domain]]
            self._pools[domain] = [ids[i] for i in sorted(order[design.examples_per_domain:])]

    @property
    def meta(self) -> dict[str, object]:
        """What a results folder must agree with to resume this study."""
        return {**dataclasses.asdict(self.design), "images": self.catalog.fingerprint}

    def sequence(self, participant: int) -> list[tuple[str, str]]:
        """Participant `participant`'s test images as (image id, truth), in showing order."""
        rng = np.random.default_rng([self.design.seed, participant])
        items = []
        for domain, count in (("real", self.design.num_real), ("refined", self.design.num_refined)):
            pool = self._pools[domain]
            items += [(pool[i], domain) for i in rng.choice(len(pool), size=count, replace=False)]
        return [items[i] for i in rng.permutation(len(items))]
