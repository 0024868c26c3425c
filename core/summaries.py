"""TensorBoard scalars and image grids, and the same grids as PNG files on disk."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import tensorflow as tf

from simgan.core import files
from simgan.core.data import to_uint8
from simgan.core.figures import write_png


def image_grid(rows: list[tf.Tensor], scale: int = 2, pad: int = 2) -> np.ndarray:
    """Tiles equally shaped image batches ``[N, H, W, C]`` in [-1, 1] into one uint8 image:
    one batch per row (e.g. synthetic | refined | real), ``scale``-times upsampled."""
    rows = [to_uint8(r).numpy() for r in rows]
    n, h, w, c = rows[0].shape
    grid = np.full((len(rows) * (h + pad) + pad, n * (w + pad) + pad, c), 255, np.uint8)
    for i, batch in enumerate(rows):
        for j, image in enumerate(batch):
            top, left = pad + i * (h + pad), pad + j * (w + pad)
            grid[top:top + h, left:left + w] = image
    return grid.repeat(scale, axis=0).repeat(scale, axis=1)




class Summaries:
    """Writes scalars and grids for one run to ``model_dir`` (events) and ``model_dir/grids``."""

    def __init__(self, model_dir: str):
        self.model_dir = model_dir
        self.writer = tf.summary.create_file_writer(model_dir)

    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        with self.writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.scalar(name, value)
        self.writer.flush()

    def grid(self, step: int, rows: list[tf.Tensor], name: str = "synthetic_refined_real") -> str:
        """Logs the grid to TensorBoard and writes ``grids/step_XXXXXX.png``; returns its path."""
        grid = image_grid(rows)
        with self.writer.as_default(step=step):
            tf.summary.image(name, grid[None], step=step)
        self.writer.flush()
        path = files.join(self.model_dir, "grids", f"step_{step:06d}.png")
        write_png(path, grid)
        return path
