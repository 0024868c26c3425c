"""PNG figures of a grid (matplotlib): one bar chart per metric (mean per group with
standard-deviation error bars) and the refined samples of every group stacked for comparison."""

from __future__ import annotations

import glob
import os
import re
from typing import Sequence

import numpy as np
from PIL import Image

from simgan.io.figures import figure, save_figure

PLOTS_DIR = "plots"
SAMPLES_FILE = "samples.png"


def bar_chart(path: str, title: str, labels: Sequence[str], means: Sequence[float],
              stds: Sequence[float]) -> None:
    """Writes vertical bars of ``means`` with +-``stds`` whiskers, one per group label."""
    fig = figure(max(3.2, 0.5 * len(labels) + 1.2), 4.4)
    axes = fig.add_subplot()
    positions = np.arange(len(labels))
    axes.bar(positions, means, yerr=stds, capsize=4, color="#4678b4")
    axes.set_xticks(positions, [label[:28] for label in labels], rotation=90, fontsize="small")
    axes.set_title(title, fontsize="medium")
    axes.axhline(0.0, color="black", linewidth=0.8)
    axes.grid(True, axis="y", alpha=0.3)
    save_figure(fig, path)


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key)


def metric_plots(out: str, rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> list[str]:
    """``<out>/plots/<metric>.png`` for each (key, label) column some group has; their paths."""
    paths = []
    for key, label in columns:
        present = [r for r in rows if key in r["metrics"]]
        if not present:
            continue
        path = os.path.join(out, PLOTS_DIR, _safe(key) + ".png")
        bar_chart(path, f"{label}  (mean ± std over seeds)", [r["group"] for r in present],
                  [r["metrics"][key]["mean"] for r in present],
                  [r["metrics"][key]["std"] for r in present])
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
    images = []
    for label, path in chosen.values():
        with Image.open(path) as image:
            images.append((label, np.asarray(image.convert("RGB"))))
    width = max(max(i.shape[1] for _, i in images), 360) / 100
    fig = figure(width, sum(i.shape[0] / 100 + 0.3 for _, i in images))
    for axes, (label, image) in zip(fig.subplots(len(images), 1, squeeze=False)[:, 0], images):
        axes.imshow(image, interpolation="nearest")
        axes.set_title(label, fontsize="small", loc="left")
        axes.set_axis_off()
    path = os.path.join(out, SAMPLES_FILE)
    save_figure(fig, path)
    return path
