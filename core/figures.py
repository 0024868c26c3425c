"""The one PNG writer, for image arrays and for matplotlib figures (atomic, any filesystem)."""

from __future__ import annotations

import io

import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from simgan.core.files import atomic_write_bytes


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
