"""The discriminator's accuracy on its training batches of real images against its accuracy on
held-out real images it never trains on (the overfitting signal, plugins/heldout.py), read from
the TensorBoard events of `simgan-ablate` runs: a table over the second half of each run's
schedule and a plot of the curves. Usage:

    python docs/results/overfitting_signal/summarize.py RUNS_DIR OUT_DIR
"""

from __future__ import annotations

import collections
import glob
import os
import sys

import matplotlib
import numpy as np

from simgan.tools.ablate import paired
from simgan.tools.ablate.summary import read_series

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

TRAINING, HELDOUT = "discriminator/accuracy_real", "discriminator/accuracy_heldout_real"


def main(runs_dir: str, out_dir: str) -> None:
    rows, curves = collections.defaultdict(list), {}
    for run in sorted(glob.glob(os.path.join(runs_dir, "*__seed=*"))):
        pair, seed = os.path.basename(run).split("__seed=")
        series = read_series(run)
        training, heldout = ({step: value for step, _, value in series[tag]}
                             for tag in (TRAINING, HELDOUT))
        steps = sorted(set(training) & set(heldout))
        late = [s for s in steps if s >= steps[-1] / 2]
        gap = [training[s] - heldout[s] for s in late]
        rows[pair].append((int(seed), np.mean([training[s] for s in late]),
                           np.mean([heldout[s] for s in late]), np.mean(gap), max(gap)))
        curves[pair, int(seed)] = (steps, [training[s] for s in steps], [heldout[s] for s in steps])
    lines = ["| pair | seed | accuracy on training batches | on held-out real | gap | largest "
             "gap at one summary |", "|---|---|---|---|---|---|"]
    for pair, seed_rows in rows.items():
        for seed, train, held, gap, largest in seed_rows:
            lines.append(f"| {pair} | {seed} | {train:.3f} | {held:.3f} | {gap:+.3f} | "
                         f"{largest:+.3f} |")
        gap = paired.difference([(train, held) for _, train, held, _, _ in seed_rows])
        lines.append(f"| **{pair}** | {gap['n']} seeds | {np.mean([r[1] for r in seed_rows]):.3f}"
                     f" | {np.mean([r[2] for r in seed_rows]):.3f} | **{gap['mean']:+.3f} ± "
                     f"{gap['std']:.3f}** (p={gap['p']:.2g}) | |")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "gaps.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    pairs = list(rows)
    figure, axes = plt.subplots(1, len(pairs), figsize=(4 * len(pairs), 3), squeeze=False)
    for axis, pair in zip(axes[0], pairs):
        seed = min(seed for seed, *_ in rows[pair])
        steps, train, held = curves[pair, seed]
        axis.plot(steps, train, label="training batches (real)")
        axis.plot(steps, held, label="held-out real")
        axis.set(title=f"{pair}, seed {seed}", xlabel="step", ylim=(0, 1))
    axes[0][0].set_ylabel("discriminator accuracy")
    axes[0][0].legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(os.path.join(out_dir, "curves.png"), dpi=100)


if __name__ == "__main__":
    main(*sys.argv[1:3])
