"""PNG figures of a grid, drawn with Pillow: one bar chart per metric (mean per group with
standard-deviation error bars) and the refined samples of every group stacked for comparison."""

from __future__ import annotations

import glob
import io
import math
import os
import re
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

from simgan.core.files import atomic_write_bytes

PLOTS_DIR = "plots"
SAMPLES_FILE = "samples.png"
_BAR, _GAP, _LEFT, _TOP, _HEIGHT, _LABELS = 36, 14, 70, 40, 260, 170


def _font(size: int = 12) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _save(path: str, image: Image.Image) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = (high - low) / count if high > low else 1.0
    magnitude = 10 ** math.floor(math.log10(step))
    step = min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= step), default=step)
    start = math.ceil(low / step) * step
    return [start + i * step for i in range(int((high - start) / step) + 1)]


def bar_chart(title: str, labels: Sequence[str], means: Sequence[float],
              stds: Sequence[float]) -> Image.Image:
    """Vertical bars of ``means`` with +-``stds`` whiskers, group labels written downwards."""
    width = _LEFT + len(labels) * (_BAR + _GAP) + _GAP
    title_width = int(ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(title, font=_font(14)))
    image = Image.new("RGB", (max(width, title_width + 16, 320), _TOP + _HEIGHT + _LABELS),
                      "white")
    draw = ImageDraw.Draw(image)
    draw.text((8, 8), title, fill="black", font=_font(14))
    high = max([m + s for m, s in zip(means, stds)] + [0.0])
    low = min([m - s for m, s in zip(means, stds)] + [0.0])
    high = high if high > low else low + 1.0
    y = lambda v: _TOP + _HEIGHT * (high - v) / (high - low)
    for tick in _ticks(low, high):
        draw.line([(_LEFT - 4, y(tick)), (width, y(tick))], fill=(225, 225, 225))
        draw.text((4, y(tick) - 7), f"{tick:.3g}", fill="black", font=_font(11))
    draw.line([(_LEFT, _TOP), (_LEFT, _TOP + _HEIGHT)], fill="black")
    draw.line([(_LEFT, y(0)), (width, y(0))], fill="black")
    for i, (label, mean, std) in enumerate(zip(labels, means, stds)):
        left = _LEFT + _GAP + i * (_BAR + _GAP)
        draw.rectangle([left, min(y(mean), y(0)), left + _BAR, max(y(mean), y(0))],
                       fill=(70, 120, 180))
        centre = left + _BAR / 2
        if std > 0:
            draw.line([(centre, y(mean - std)), (centre, y(mean + std))], fill="black", width=2)
            for v in (mean - std, mean + std):
                draw.line([(centre - 6, y(v)), (centre + 6, y(v))], fill="black", width=2)
        text = Image.new("RGB", (_LABELS, 14), "white")
        ImageDraw.Draw(text).text((0, 0), label[:28], fill="black", font=_font(11))
        image.paste(text.rotate(-90, expand=True), (int(centre - 7), _TOP + _HEIGHT + 4))
    return image


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key)


def metric_plots(out: str, rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> list[str]:
    """``<out>/plots/<metric>.png`` for each (key, label) column some group has; their paths."""
    paths = []
    for key, label in columns:
        present = [r for r in rows if key in r["metrics"]]
        if not present:
            continue
        image = bar_chart(f"{label}  (mean ± std over seeds)", [r["group"] for r in present],
                          [r["metrics"][key]["mean"] for r in present],
                          [r["metrics"][key]["std"] for r in present])
        path = os.path.join(out, PLOTS_DIR, _safe(key) + ".png")
        _save(path, image)
        paths.append(path)
    return paths


def last_grid(directory: str) -> str | None:
    """The run's image grid of the highest step, if it wrote any."""
    grids = sorted(glob.glob(os.path.join(directory, "grids", "step_*.png")))
    return grids[-1] if grids else None


def samples(out: str, root: str, records: Sequence[dict]) -> str | None:
    """``<out>/samples.png``: per group, the last grid (synthetic | refined | real rows) of its
    lowest-seed finished run, stacked under a label; None when no run has a grid."""
    chosen: dict[str, tuple[str, str]] = {}
    for record in sorted(records, key=lambda r: r["seed"]):
        grid = last_grid(os.path.join(root, record["run"])) if record["status"] == "done" else None
        if grid and record["group"] not in chosen:
            chosen[record["group"]] = (f"{record['group']} (seed {record['seed']}, "
                                       f"{os.path.basename(grid)[:-4]})", grid)
    if not chosen:
        return None
    images = [(label, Image.open(path).convert("RGB")) for label, path in chosen.values()]
    width = max(max(i.width for _, i in images), 360)
    sheet = Image.new("RGB", (width, sum(i.height + 22 for _, i in images)), "white")
    draw, top = ImageDraw.Draw(sheet), 0
    for label, image in images:
        draw.text((2, top + 3), label, fill="black", font=_font(13))
        sheet.paste(image, (0, top + 20))
        top += image.height + 22
    path = os.path.join(out, SAMPLES_FILE)
    _save(path, sheet)
    return path
