"""The one PNG writer, for image arrays and for matplotlib figures (atomic, any filesystem), and
the labelled image grid (synthetic | refined | real) of the training summaries."""

from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np
import tensorflow as tf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simgan.io.files import atomic_write_bytes


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 ``[H, W, 1|3|4]`` array encoded as PNG."""
    return tf.io.encode_png(np.asarray(image, np.uint8)).numpy()


def write_png(path: str, image: np.ndarray) -> None:
    """Writes a uint8 ``[H, W, 1|3|4]`` array as a PNG file, atomically."""
    atomic_write_bytes(path, png_bytes(image))


def figure(width: float, height: float) -> Figure:
    """A matplotlib figure of ``width`` x ``height`` inches, independent of pyplot's state
    (no GUI backend, safe in threads and tests)."""
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, path: str, dpi: int = 100) -> None:
    """Writes a matplotlib figure as a PNG file, atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())


GRID_ROWS = ("synthetic", "refined", "real")
_WHITE = 255


def label_image(text: str, height: int, width: int, font_pixels: int) -> np.ndarray:
    """``text`` drawn by matplotlib in black on white, centred in a uint8 ``[height, width]``
    array (72 dpi, so a font size in points is its size in pixels)."""
    fig = Figure(figsize=(width / 72, height / 72), dpi=72)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=font_pixels)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())[:height, :width]
    return np.round(rgba[..., :3].mean(axis=-1)).astype(np.uint8)


def labelled_grid(rows: Sequence[np.ndarray], labels: Sequence[str] = GRID_ROWS,
                  min_size: int = 64, pad: int = 2) -> np.ndarray:
    """Tiles equally shaped uint8 image batches ``[N, H, W, C]`` into one uint8 image, one batch
    per row with its label (e.g. synthetic / refined / real) on the left.

    Images are upscaled by nearest neighbour (no blur: one pixel becomes a block) by the
    smallest integer factor that makes their shorter side at least ``min_size`` pixels, so an
    8x8 domain is as readable as a 35x55 one; the labels' font follows the row height.
    """
    if len(rows) != len(labels) or not rows:
        raise ValueError(f"labelled_grid: {len(rows)} rows and {len(labels)} labels; expected "
                         "one label per row, at least one row")
    rows = [np.asarray(r, np.uint8) for r in rows]
    n, h, w, c = rows[0].shape
    if any(r.shape != rows[0].shape for r in rows):
        raise ValueError(f"labelled_grid: rows of different shapes {[r.shape for r in rows]}")
    scale = max(1, math.ceil(min_size / min(h, w)))
    h, w = h * scale, w * scale
    font = max(8, min(16, h // 4))
    label_width = int(0.65 * font * max(len(label) for label in labels)) + 2 * font
    grid = np.full((len(rows) * (h + pad) + pad, label_width + n * (w + pad) + pad, c), _WHITE,
                   np.uint8)
    for i, (batch, label) in enumerate(zip(rows, labels)):
        top = pad + i * (h + pad)
        grid[top:top + h, :label_width] = label_image(label, h, label_width, font)[..., None]
        for j, image in enumerate(batch):
            left = label_width + pad + j * (w + pad)
            grid[top:top + h, left:left + w] = image.repeat(scale, axis=0).repeat(scale, axis=1)
    return grid
