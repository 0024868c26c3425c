"""`c2st`: a classifier two-sample test (Lopez-Paz & Oquab 2017), the automated stand-in for the
paper's visual Turing test (the human study is `simgan-vtt`). A fresh classifier learns real
vs refined on one split and is scored on a disjoint one. Accuracy near 0.5 means the two are
indistinguishable to it.

Keys: ``{synthetic,refined}/accuracy`` and its
Wilson interval ``accuracy_ci_low`` / ``accuracy_ci_high`` (scipy.stats.binomtest). The raw
synthetic vs real reference does not depend on the refiner and is computed once.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import stats

from simgan.core.registries import EVALUATORS
from simgan.plugins.metrics import classifier
from simgan.plugins.metrics.samples import RealVsSynthetic


def accuracy_with_interval(correct: int, total: int,
                           confidence: float = 0.95) -> tuple[float, float, float]:
    """Accuracy and its Wilson score confidence interval."""
    interval = stats.binomtest(correct, total).proportion_ci(confidence, method="wilson")
    return correct / total, float(interval.low), float(interval.high)


def turing_test(real_train: np.ndarray, real_test: np.ndarray, fake_train: np.ndarray,
                fake_test: np.ndarray, *, seed: int,
                confidence: float = 0.95) -> tuple[float, float, float]:
    """Trains a fresh domain classifier on the train parts; (accuracy, CI low, CI high) on test."""
    model = classifier.domain_classifier(input_shape=real_train.shape[1:], seed=seed)
    classifier.train_domain_classifier(model, real_train, fake_train, seed=seed)
    correct = (int(np.sum(classifier.predict_logits(model, real_test) < 0))
               + int(np.sum(classifier.predict_logits(model, fake_test) > 0)))
    return accuracy_with_interval(correct, len(real_test) + len(fake_test), confidence)


@EVALUATORS.register("c2st")
@dataclasses.dataclass(kw_only=True, eq=False)
class ClassifierTwoSampleTest(RealVsSynthetic):
    """Classifier two-sample test, real vs refined (and real vs raw synthetic as reference):
    ``train_examples`` of each to train, ``test_examples`` others to score."""

    NAME = "c2st"
    train_examples: int = 2000
    test_examples: int = 1000
    confidence: float = 0.95

    def _count(self) -> int:
        return self.train_examples + self.test_examples

    def _score(self, source: str, fake: np.ndarray) -> dict[str, float]:
        real, n = self._samples["real"], self.train_examples
        accuracy, low, high = turing_test(real[:n], real[n:], fake[:n], fake[n:],
                                          seed=self.seed, confidence=self.confidence)
        prefix = f"{source}/accuracy"
        return {prefix: accuracy, prefix + "_ci_low": low, prefix + "_ci_high": high}
