"""`nearest_real`: does the refiner copy real images? Each refined (and raw synthetic) image's
nearest real image in a chosen feature space, a panel of the closest pairs, and the
data-copying test of Meehan et al. 2020 (plugins/metrics/copying.py).

The ``examples`` scored real images are split in halves: the first is the reference set T the
nearest neighbours are searched in, the second the held-out sample of the same distribution.
T is what a copy would be a copy of: when the run's real dataset is a fixed set, T is part of
it (the first draw); set ``examples`` to cover the set to test it all.

Keys: ``{synthetic,refined}/copying_ct`` (C_T; well below 0, the paper flags < -3: copying) and
``.../distance_ratio`` (median distance to the nearest image of T, over that of the held-out
real images: near 1 for fresh samples of the real distribution, near 0 for copies).
Each evaluation with a refiner writes ``<output_dir>/step_XXXXXX.png``: the ``panel_images``
refined images closest to a real one, above that real image.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from simgan.core.registries import EVALUATORS
from simgan.io import figures, files
from simgan.plugins.metrics import copying
from simgan.plugins.metrics.feature_metrics import FeatureEvaluator


def _show(axes, image: np.ndarray, title: str) -> None:
    """One [-1, 1] image, gray or RGB, without ticks."""
    image = np.clip((image + 1.0) / 2.0, 0.0, 1.0)
    if image.shape[-1] == 1:
        axes.imshow(image[..., 0], cmap="gray", vmin=0.0, vmax=1.0)
    else:
        axes.imshow(image)
    axes.set_title(title, fontsize=8)
    axes.set_xticks([])
    axes.set_yticks([])


def write_panel(path: str, generated: np.ndarray, real: np.ndarray, distances: np.ndarray,
                title: str) -> None:
    """Two rows of images: ``generated`` above their nearest ``real``, with the distances."""
    columns = len(generated)
    fig = figures.figure(1.3 * columns + 0.6, 3.2)
    grid = fig.subplots(2, columns, squeeze=False)
    for j in range(columns):
        _show(grid[0, j], generated[j], f"d = {distances[j]:.3g}")
        _show(grid[1, j], real[j], "nearest real")
    grid[0, 0].set_ylabel("refined")
    grid[1, 0].set_ylabel("real")
    fig.suptitle(title, fontsize=9)
    figures.save_figure(fig, path)


@EVALUATORS.register("nearest_real")
@dataclasses.dataclass(kw_only=True, eq=False)
class NearestReal(FeatureEvaluator):
    """Memorisation check: refined images' nearest real images in the feature space
    ``features``, shown in a panel, and Meehan et al. 2020's data-copying test (C_T) over
    ``num_cells`` k-means cells."""

    NAME = "nearest_real"
    num_cells: int = 10
    panel_images: int = 8

    def __post_init__(self) -> None:
        super().__post_init__()
        needed = copying.MIN_GENERATED_PER_CELL * self.num_cells
        if self.examples < needed:
            raise ValueError(f"nearest_real.examples: the data-copying test needs >= {needed} "
                             f"(20 per cell, nearest_real.num_cells={self.num_cells}); got "
                             f"{self.examples}")
        self._closest: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _score(self, source: str, images: np.ndarray) -> dict[str, float]:
        features = self._embedding(images)
        half = len(self._real_features) // 2
        train, heldout = self._real_features[:half], self._real_features[half:]
        distances, index = copying.nearest(features, train)
        heldout_distances, _ = copying.nearest(heldout, train)
        if source == "refined":
            order = np.argsort(distances)[:self.panel_images]
            self._closest = (images[order], self._real()[:half][index[order]], distances[order])
        return {f"{source}/copying_ct": copying.copying_statistic(
                    train, heldout, features, num_cells=self.num_cells, seed=self.seed),
                f"{source}/distance_ratio": float(np.median(distances)
                                                  / np.median(heldout_distances))}

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        results = super().evaluate(refiner, step)
        if refiner is not None:
            write_panel(files.join(self.output_dir, f"step_{step:06d}.png"), *self._closest,
                        title=f"step {step}: refined images closest to a real one "
                              f"({self.features} features)")
        return results
