"""Paired comparisons for a grid: which variants differ from the reference beyond the seed spread.

Runs of two groups with the same seed share their data draws and their raw-synthetic gaze
estimator, so the honest test of an ablation is paired by seed: the per-seed difference of a
metric, its mean and sample standard deviation, and a paired t-test over the seeds both groups
finished. Also derives the gaze gain of each run (refined vs raw synthetic error of the same
seed, in %), the figure the paper's Table 3 comparison is about.
"""

from __future__ import annotations

import math
import re
import statistics
from typing import Iterable, Mapping, Sequence

from scipy import stats

from simgan.io.tables import markdown_table
from simgan.tools.ablate import runner

REFERENCE = "baseline"
SIGNIFICANCE = 0.05
_REFINED_ERROR = re.compile(r"^gaze/refined_(\d+x)/(validation_)?error_deg$")
_INSTANCE_ACCURACY = re.compile(r"^([^/]+)/refined/accuracy$")
# Compared with the reference when present: gaze gain (test and validation draws), error,
# label preservation and realism.
COMPARED = (
    ("gaze/refined_1x/gain_pct", "gaze gain (%)"),
    ("gaze/refined_1x/validation_gain_pct", "gaze gain, validation draw (%)"),
    ("gaze/refined_1x/error_deg", "gaze error, refined (deg)"),
    ("label_preservation/refined/pupil_shift_px", "pupil shift (px)"),
    ("label_preservation/refined/gaze_shift_deg", "label shift (deg)"),
    ("c2st/refined/accuracy", "real-vs-refined accuracy"),
)


def instance_accuracies(keys: Iterable[str],
                        fixed: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(key, label)`` of every ``<instance>/refined/accuracy`` in ``keys`` that the ``fixed``
    columns do not already hold: a named evaluator instance such as ``('c2st_mpiigaze', 'c2st')``
    (real MPIIGaze crops vs refined) or a downstream task's accuracy, shown like the rest."""
    held = {key for key, _ in fixed}
    return [(key, f"{match[1]} refined accuracy") for key in sorted(keys)
            if (match := _INSTANCE_ACCURACY.match(key)) and key not in held]


def add_gains(metrics: dict[str, float]) -> dict[str, float]:
    """Adds ``gaze/refined_<k>x/[validation_]gain_pct`` = 100 (1 - refined / synthetic error)
    wherever the run has both rows; returns ``metrics``."""
    for key in list(metrics):
        match = _REFINED_ERROR.match(key)
        synthetic = metrics.get(key.replace("/refined_", "/synthetic_"))
        if match and synthetic and math.isfinite(synthetic):
            name = f"gaze/refined_{match[1]}/{match[2] or ''}gain_pct"
            metrics[name] = 100.0 * (1.0 - metrics[key] / synthetic)
    return metrics


def reference_group(groups: Sequence[str], requested: str | None) -> str | None:
    """The group the others are compared with: ``requested``, else 'baseline' if the grid has
    it, else none (no comparison)."""
    if requested is not None:
        if requested not in groups:
            raise ValueError(f"--reference: no group {requested!r} in the grid; groups: "
                             + ", ".join(groups))
        return requested
    return REFERENCE if REFERENCE in groups else None


def compare(records: Sequence[dict], reference: str) -> list[dict]:
    """Per group other than ``reference`` and per compared metric: the seeds both finished, the
    per-seed differences (group - reference), their mean, sample std and paired t-test p."""
    by_group: dict[str, dict[int, dict[str, float]]] = {}
    for record in records:
        if record["status"] == runner.DONE:
            by_group.setdefault(record["group"], {})[record["seed"]] = record["metrics"]
    base = by_group.get(reference, {})
    keys = {k for seeds in by_group.values() for metrics in seeds.values() for k in metrics}
    compared = [*COMPARED, *instance_accuracies(keys, COMPARED)]
    comparisons = []
    for group, seeds in by_group.items():
        if group == reference:
            continue
        row = {"group": group, "metrics": {}}
        for key, _ in compared:
            pairs = [(seeds[s][key], base[s][key]) for s in sorted(set(seeds) & set(base))
                     if key in seeds[s] and key in base[s]
                     and math.isfinite(seeds[s][key]) and math.isfinite(base[s][key])]
            if not pairs:
                continue
            row["metrics"][key] = difference(pairs)
        comparisons.append(row)
    return comparisons


def difference(pairs: Sequence[tuple[float, float]]) -> dict:
    """Seed-paired ``(a, b)`` values: the differences a - b, their mean, sample std, count and
    paired t-test p (NaN with one pair or no spread)."""
    diffs = [a - b for a, b in pairs]
    p = math.nan
    if len(pairs) > 1 and statistics.stdev(diffs) > 0:
        p = float(stats.ttest_rel(*zip(*pairs)).pvalue)
    return {"diffs": diffs, "mean": round(statistics.fmean(diffs), 10),
            "std": statistics.stdev(diffs) if len(diffs) > 1 else 0.0, "n": len(diffs), "p": p}


def cell(d: Mapping | None) -> str:
    """A `difference` as a table cell: mean ± std (p), bold where p < SIGNIFICANCE; "—" for
    none (no seed both sides finished)."""
    if d is None:
        return "—"
    if d["n"] < 2:
        return f"{d['mean']:+.3g} (one seed: no test)"
    text = f"{d['mean']:+.3g} ± {d['std']:.2g}"
    if not math.isnan(d["p"]):
        text = (f"**{text}**" if d["p"] < SIGNIFICANCE else text) + f" (p {d['p']:.2g})"
    return text


def markdown(comparisons: Sequence[dict], reference: str) -> str:
    """The paired table: difference from the reference, mean ± std over seeds (p), bold where
    the paired t-test gives p < 0.05 (the effect exceeds the seed spread)."""
    keys = {k for c in comparisons for k in c["metrics"]}
    columns = [(k, label) for k, label in (*COMPARED, *instance_accuracies(keys, COMPARED))
               if k in keys]
    table = []
    for comparison in comparisons:
        cells = [cell(comparison["metrics"].get(key)) for key, _ in columns]
        seeds = max((d["n"] for d in comparison["metrics"].values()), default=0)
        table.append([comparison["group"], seeds, *cells])
    header = ["run", "paired seeds", *(f"Δ {label}" for _, label in columns)]
    notes = [f"Difference from `{reference}`, paired by seed: mean ± sample std of the per-seed "
             f"differences, paired t-test p; **bold**: p < {SIGNIFICANCE} (beyond the seed "
             "spread). Every other difference is inside the spread."]
    return "\n".join([markdown_table(header, table), "", *notes]) + "\n"
