"""Real and synthetic images drawn once from registered datasets, and refined on demand.

Draws are one pass over each dataset, sliced into disjoint parts (train / test), so the parts
never share an image even when the dataset is a fixed file rather than an endless simulator.
The datasets are the run's domains unless an evaluator's binding names others.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar, Mapping

import keras
import numpy as np
from absl import logging

from simgan.core import data, seeds
from simgan.core.evaluation import dataset_for, refine

if TYPE_CHECKING:
    from simgan.core.evaluation import Domains

DOMAINS = ("real", "synthetic")
SEED_STREAMS = {"real": "realism_real", "synthetic": "realism_synthetic"}


def sources(evaluator: str, domains: Domains | None,
            bindings: Mapping[str, str | None]) -> dict[str, tuple[str, str]]:
    """``{"real": (dataset, scope), "synthetic": (dataset, scope)}``: each of the bindings
    ``real_dataset``, ``real_scope``, ``synthetic_dataset``, ``synthetic_scope`` as bound,
    else the run's (``domains``); fails naming the binding when neither is there."""
    return {domain: dataset_for(domains, domain, bindings[f"{domain}_dataset"],
                                bindings[f"{domain}_scope"],
                                (f"{evaluator}.{domain}_dataset", f"{evaluator}.{domain}_scope"))
            for domain in DOMAINS}


class DomainSamples:
    """Real and synthetic image arrays, ``count`` of each, drawn lazily and cached. The datasets
    are built (and a finite one's size checked) at once, so a held-out set too small for the
    evaluator fails before the run trains, not after."""

    def __init__(self, *, seed: int, count: int, datasets: Mapping[str, tuple[str, str]]):
        self._datasets = {}
        for domain in DOMAINS:
            name, scope = datasets[domain]
            stream = seeds.stream(seed, SEED_STREAMS[domain])
            dataset = data.build(name, scope, stream)
            data.check_size(int(dataset.cardinality()), data.describe(name, scope), count)
            self._datasets[domain] = (dataset, name, scope, stream)
        self._count = count
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, domain: str) -> np.ndarray:
        if domain not in self._arrays:
            dataset, name, scope, stream = self._datasets[domain]
            self._arrays[domain] = data.take(name, scope, stream, self._count,
                                             dataset=dataset)[data.IMAGE_KEY]
        return self._arrays[domain]


@dataclasses.dataclass(kw_only=True, eq=False)
class RealVsSynthetic:
    """Base of the realism evaluators: scores raw synthetic images against real ones once (the
    reference, independent of the refiner) and refined ones at every evaluation.

    Its fields are the evaluators' shared keyword arguments (a subclass adds its own): the
    framework passes ``seed``, ``output_dir`` (where plots go) and ``domains`` (the run's
    datasets); a ``None`` dataset or scope means the run's."""

    NAME: ClassVar[str]  # the registered name, for messages
    seed: int
    output_dir: str
    domains: Domains | None = None
    real_dataset: str | None = None
    real_scope: str | None = None
    synthetic_dataset: str | None = None
    synthetic_scope: str | None = None
    include_synthetic: bool = True
    refine_batch_size: int = 256

    def __post_init__(self) -> None:
        self.datasets = sources(self.NAME, self.domains, {
            "real_dataset": self.real_dataset, "real_scope": self.real_scope,
            "synthetic_dataset": self.synthetic_dataset, "synthetic_scope": self.synthetic_scope})
        logging.info("%s: compares with real images of %r (gin scope %r) and synthetic images "
                     "of %r (gin scope %r)", self.NAME, *self.datasets["real"],
                     *self.datasets["synthetic"])
        self._samples = DomainSamples(seed=self.seed, count=self._count(),
                                      datasets=self.datasets)
        self._reference: dict[str, float] | None = None

    def _count(self) -> int:
        """How many images of each domain to draw."""
        raise NotImplementedError

    def _synthetic(self) -> np.ndarray:
        """The synthetic images scored, raw and refined (all drawn, unless a subclass splits)."""
        return self._samples["synthetic"]

    def _score(self, source: str, images: np.ndarray) -> dict[str, float]:
        raise NotImplementedError

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        del step
        synthetic = self._synthetic()
        results = {}
        if self.include_synthetic:
            if self._reference is None:
                self._reference = self._score("synthetic", synthetic)
            results.update(self._reference)
        if refiner is not None:
            results.update(self._score("refined",
                                       refine(refiner, synthetic, self.refine_batch_size)))
        return results
