"""The data-copying test of Meehan, Chaudhuri & Dasgupta (AISTATS 2020), "A Non-Parametric
Test to Detect Data-Copying in Generative Models": are generated samples closer to the
training samples T than held-out samples of the same distribution are?

Space is partitioned into cells by k-means on T. In each cell, the distances to the nearest
sample of T of the generated samples and of the held-out samples are compared by a Mann-Whitney
U test, z-scored: Z_U = (U - mn/2) / sqrt(mn(m + n + 1)/12), U counting the (generated,
held-out) pairs whose generated distance is the larger. C_T averages Z_U over the cells holding
at least 20 generated samples (the paper's tau = 20/m), weighted by each cell's share of held-out
samples. C_T near 0: no copying; well below 0 (the paper flags < -3): generated samples sit
closer to T than fresh data does, data-copying; well above 0: underfitting.
"""

from __future__ import annotations

import numpy as np
from absl import logging
from scipy import stats
from scipy.cluster import vq
from scipy.spatial import distance

MIN_GENERATED_PER_CELL = 20  # Meehan et al.'s tau = 20 / m


def nearest(queries: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``queries``, the distance to its nearest row of ``reference`` and that
    row's index."""
    distances = distance.cdist(queries, reference)
    index = distances.argmin(axis=1)
    return distances[np.arange(len(queries)), index], index


def mann_whitney_z(generated: np.ndarray, heldout: np.ndarray) -> float:
    """Z-scored Mann-Whitney U of two samples of distances; < 0 when ``generated`` is smaller."""
    m, n = len(generated), len(heldout)
    u = stats.mannwhitneyu(generated, heldout).statistic  # pairs generated > held-out, ties 1/2
    return float((u - m * n / 2.0) / np.sqrt(m * n * (m + n + 1) / 12.0))


def copying_statistic(train: np.ndarray, heldout: np.ndarray, generated: np.ndarray, *,
                      num_cells: int, seed: int) -> float:
    """Meehan et al.'s C_T of feature sets ``train`` (T), ``heldout`` and ``generated``; NaN,
    with a warning, when no cell holds enough generated and held-out samples to test."""
    centroids, train_cells = vq.kmeans2(train, num_cells, minit="++",
                                        seed=np.random.default_rng(seed))
    heldout_cells, _ = vq.vq(heldout, centroids)
    generated_cells, _ = vq.vq(generated, centroids)
    scores, weights = [], []
    for cell in range(num_cells):
        in_train, in_heldout = train[train_cells == cell], heldout[heldout_cells == cell]
        in_generated = generated[generated_cells == cell]
        if len(in_generated) < MIN_GENERATED_PER_CELL or not len(in_heldout) or not len(in_train):
            continue
        scores.append(mann_whitney_z(nearest(in_generated, in_train)[0],
                                     nearest(in_heldout, in_train)[0]))
        weights.append(len(in_heldout))
    if not scores:
        logging.warning("data-copying test: no cell holds %d generated samples and a held-out "
                        "one; C_T is undefined (NaN)", MIN_GENERATED_PER_CELL)
        return float("nan")
    return float(np.average(scores, weights=weights))
