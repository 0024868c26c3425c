"""A line plot of "% of test images within d degrees" curves (matplotlib)."""

from __future__ import annotations

from typing import Mapping, Sequence

from simgan.io.figures import figure, save_figure


def plot_curves(path: str, thresholds: Sequence[float], curves: Mapping[str, Sequence[float]],
                title: str, size: tuple[int, int] = (640, 440)) -> None:
    """Writes a PNG at ``path`` of ``size`` pixels: one line per curve, x = degrees,
    y = percent of images (0-100)."""
    dpi = 100
    fig = figure(size[0] / dpi, size[1] / dpi)
    axes = fig.add_subplot()
    for label, values in curves.items():
        axes.plot(thresholds, [100.0 * v for v in values], label=label, linewidth=2)
    axes.set(title=title, xlabel="distance from ground truth (deg)", ylabel="% of images",
             ylim=(0, 100), xlim=(min(thresholds), max(thresholds)))
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower right", fontsize="small")
    save_figure(fig, path, dpi=dpi)
