"""A line plot of "% of test images within d degrees" curves, drawn with Pillow (no matplotlib)."""

from __future__ import annotations

import io
from typing import Mapping, Sequence

from PIL import Image, ImageDraw, ImageFont

from simgan.core.files import atomic_write_bytes

_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
            (140, 86, 75), (227, 119, 194), (127, 127, 127))


def plot_curves(path: str, thresholds: Sequence[float], curves: Mapping[str, Sequence[float]],
                title: str, size: tuple[int, int] = (640, 440)) -> None:
    """Writes a PNG at ``path``: one line per curve, x = degrees, y = percent of images (0-100)."""
    width, height = size
    left, right, top, bottom = 60, 170, 30, 45
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    x0, x1 = float(min(thresholds)), float(max(thresholds))

    def to_px(x: float, y: float) -> tuple[float, float]:
        px = left + (x - x0) / max(x1 - x0, 1e-9) * (width - left - right)
        py = height - bottom - y / 100.0 * (height - top - bottom)
        return px, py

    for y in range(0, 101, 20):  # horizontal grid and y ticks
        _, py = to_px(x0, y)
        draw.line([(left, py), (width - right, py)], fill=(225, 225, 225))
        draw.text((left - 30, py - 6), f"{y:3d}", fill="black", font=font)
    for x in range(int(x0), int(x1) + 1, 5 if x1 - x0 >= 10 else 1):  # x ticks
        px, _ = to_px(x, 0)
        draw.line([(px, height - bottom), (px, height - bottom + 4)], fill="black")
        draw.text((px - 5, height - bottom + 8), str(x), fill="black", font=font)
    draw.rectangle([left, top, width - right, height - bottom], outline="black")
    draw.text((left + 40, 8), title, fill="black", font=font)
    draw.text(((width - right + left) / 2 - 60, height - 18), "distance from ground truth (deg)",
              fill="black", font=font)
    draw.text((4, top - 18), "% of images", fill="black", font=font)
    for i, (label, values) in enumerate(curves.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        points = [to_px(x, 100.0 * v) for x, v in zip(thresholds, values)]
        draw.line(points, fill=colour, width=2)
        ly = top + 10 + 16 * i
        draw.line([(width - right + 10, ly + 6), (width - right + 30, ly + 6)], fill=colour,
                  width=3)
        draw.text((width - right + 35, ly), label, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())
