"""Reads the refined row of every training grid under the given folders (the preview batch the
health check reads, docs/ROBUSTNESS.md "Training health") and writes, per grid, the outputs'
spread across inputs as a fraction of the inputs' and the share of pixels at |x| >= 0.95 and
0.99, to set `health.spread` and `health.limit` on healthy runs.

    python docs/results/health/preview_grids.py runs/ > docs/results/health/preview_grids.json
"""
import glob
import json
import math
import os
import sys

import numpy as np
from PIL import Image

# The suite pairs' image shapes (configs/suite/); other runs are 35x55 eyes.
SHAPES = {"eyes_tiny": (8, 8, 1), "photos_gray8": (8, 8, 1), "photos_rgb16": (16, 16, 3),
          "eyes_lowres": (18, 28, 1), "eyes_small_real": (35, 55, 1),
          "eyes_to_mpiigaze": (35, 55, 1)}


def rows(path: str, shape: tuple[int, int, int], pad: int = 2) -> list[np.ndarray]:
    """The grid's rows (synthetic, refined, real) in [-1, 1], undoing io/figures.labelled_grid."""
    grid = np.asarray(Image.open(path))
    grid = grid[..., None] if grid.ndim == 2 else grid
    h0, w0, c = shape
    scale = max(1, math.ceil(64 / min(h0, w0)))
    h, w = h0 * scale, w0 * scale
    font = max(8, min(16, h // 4))
    label = int(0.65 * font * len("synthetic")) + 2 * font
    n = (grid.shape[1] - label - pad) // (w + pad)
    if label + n * (w + pad) + pad != grid.shape[1]:
        raise ValueError(f"{path}: not a grid of {shape} images")
    out = []
    for i in range(3):
        top = pad + i * (h + pad)
        lefts = [label + pad + j * (w + pad) for j in range(n)]
        out.append(np.stack([grid[top:top + h:scale, x:x + w:scale, :c] for x in lefts])
                   .astype(np.float32) / 127.5 - 1)
    return out


def main(folders: list[str]) -> None:
    records = []
    for folder in folders:
        for run in sorted({os.path.dirname(os.path.dirname(p)) for p in
                           glob.glob(f"{folder}/**/grids/*.png", recursive=True)}):
            name = os.path.basename(run)
            shape = next((s for k, s in SHAPES.items() if name.startswith(k)), (35, 55, 1))
            for path in sorted(glob.glob(f"{run}/grids/step_*.png")):
                try:
                    synthetic, refined, _ = rows(path, shape)
                except ValueError as e:
                    print(e, file=sys.stderr)
                    continue
                records.append({
                    "run": run, "step": int(os.path.basename(path)[5:11]),
                    "finished": os.path.exists(f"{run}/done.json"),
                    "output_spread": float(refined.std(0).mean() / max(synthetic.std(0).mean(), 1e-6)),
                    "share_095": float(np.mean(np.abs(refined) >= 0.95)),
                    "share_099": float(np.mean(np.abs(refined) >= 0.99)),
                    "inputs_share_095": float(np.mean(np.abs(synthetic) >= 0.95))})
    json.dump(records, sys.stdout, indent=0)


if __name__ == "__main__":
    main(sys.argv[1:])
