"""Tabulates a grid: every run's metrics, their mean and spread over seeds, as CSV and Markdown,
plus plots and TensorBoard HParams (written by plots.py and hparams.py).

A run's metrics are the last record of its ``evaluation.json`` (written by the trainer's
evaluators), updated with ``eval/eval_results.json`` when the runner's simgan-eval pass made one;
its final losses and discriminator accuracies are the last logged value of each training
scalar in its TensorBoard events, and ``steps_per_second`` the mean of the logged rates.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import statistics
from typing import Sequence

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

from simgan.io import evaluation_file, report
from simgan.io.files import atomic_write_text
from simgan.io.tables import markdown_table
from simgan.tools.ablate import paired, runner
from simgan.tools.ablate.plan import Run

SUMMARY_DIR = "summary"
EVAL_RESULTS = os.path.join("eval", "eval_results.json")
TRAINING_PREFIXES = ("refiner/", "discriminator/")
STEPS_PER_SECOND = "steps_per_second"
# Columns of the Markdown table, in order, when a run has them (every metric is in the CSVs).
HEADLINE = (
    ("gaze/refined_1x/error_deg", "gaze error, refined (deg)"),
    ("gaze/synthetic_1x/error_deg", "gaze error, raw synthetic (deg)"),
    ("gaze/refined_1x/gain_pct", "gaze gain (%)"),
    ("gaze/refined_1x/validation_gain_pct", "gaze gain, validation draw (%)"),
    ("gaze/refined_1x/within_7deg_pct", "% within 7 deg, refined"),
    ("label_preservation/refined/gaze_shift_deg", "label shift (deg)"),
    ("label_preservation/refined/pupil_shift_px", "pupil shift (px)"),
    ("c2st/refined/accuracy", "real-vs-refined accuracy"),
    ("kid/refined/kid", "KID refined"),
    ("refiner/local_adversarial", "final R adversarial"),
    ("refiner/self_regularization", "final R self-reg."),
    ("discriminator/total", "final D loss"),
    (STEPS_PER_SECOND, "steps/s"),
)


def read_series(directory: str) -> dict[str, list[tuple[int, float, float]]]:
    """Every scalar's ``(step, wall time, value)`` events in ``directory``'s TensorBoard files
    (tensor summaries of the scalars plugin and legacy scalars; image grids left out)."""
    accumulator = event_accumulator.EventAccumulator(
        directory, size_guidance={event_accumulator.TENSORS: 0, event_accumulator.SCALARS: 0})
    accumulator.Reload()
    series: dict[str, list[tuple[int, float, float]]] = {}
    tags = accumulator.Tags()
    for tag in tags.get(event_accumulator.TENSORS, []):
        if accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
            continue  # image grids
        series[tag] = [(e.step, e.wall_time, float(tensor_util.make_ndarray(e.tensor_proto)))
                       for e in accumulator.Tensors(tag)]
    for tag in tags.get(event_accumulator.SCALARS, []):
        series[tag] = [(e.step, e.wall_time, float(e.value)) for e in accumulator.Scalars(tag)]
    return series


def read_scalars(directory: str) -> dict[str, float]:
    """Final training scalars and the mean steps/s from the TensorBoard events in ``directory``."""
    values = {}
    for tag, events in read_series(directory).items():
        if tag == STEPS_PER_SECOND:
            values[tag] = statistics.fmean(v for _, _, v in events)
        elif tag.startswith(TRAINING_PREFIXES) and not tag.endswith("learning_rate"):
            values[tag] = max(events)[2]  # the last step; of a resumed step, its latest write
    return values


def read_evaluation(directory: str) -> dict[str, float]:
    """The last evaluation record of a run, overlaid by its simgan-eval results if any."""
    records = evaluation_file.load_results(os.path.join(directory, evaluation_file.NAME))
    values = {k: v for k, v in (records[-1] if records else {}).items() if k != "step"}
    path = os.path.join(directory, EVAL_RESULTS)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            values.update(json.load(f).get("results", {}))
    return {k: (math.nan if v is None else float(v)) for k, v in values.items()
            if v is None or isinstance(v, (int, float))}


def collect(root: str, runs: Sequence[Run]) -> list[dict]:
    """One record per run: identity, state, provenance and metrics."""
    records = []
    for run in runs:
        directory = os.path.join(root, run.name)
        state = runner.status(root, run)
        done = {}
        if state == runner.DONE:
            with open(os.path.join(directory, runner.DONE_FILE), encoding="utf-8") as f:
                done = json.load(f)
        metrics = {}
        if os.path.isdir(directory):
            metrics.update(read_scalars(directory))
            metrics.update(read_evaluation(directory))
            paired.add_gains(metrics)
        code = done.get("code", {})
        records.append({
            "run": run.name, "group": run.group, "variant": run.variant, "seed": run.seed,
            "sweep": dict(run.sweep), "status": state, "wall_time_s": done.get("wall_time_s"),
            "commit": code.get("commit"), "dirty": code.get("dirty"),
            "device": done.get("device", {}).get("kind"), "metrics": metrics})
    return records


def aggregate(records: Sequence[dict]) -> list[dict]:
    """Per group (a variant and its swept values): the finished runs' seeds, and each metric's
    mean and sample standard deviation over them (std 0 for a single seed)."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        if record["status"] == runner.DONE:
            groups.setdefault(record["group"], []).append(record)
    rows = []
    for group, members in groups.items():
        keys = sorted({k for m in members for k in m["metrics"]})
        stats = {}
        for key in keys:
            values = [m["metrics"][key] for m in members
                      if key in m["metrics"] and math.isfinite(m["metrics"][key])]
            if values:
                std = statistics.stdev(values) if len(values) > 1 else 0.0
                stats[key] = {"mean": statistics.fmean(values), "std": std, "n": len(values)}
        walls = [m["wall_time_s"] for m in members if m["wall_time_s"] is not None]
        rows.append({"group": group, "variant": members[0]["variant"],
                     "sweep": members[0]["sweep"], "seeds": sorted(m["seed"] for m in members),
                     "wall_time_s": statistics.fmean(walls) if walls else math.nan,
                     "metrics": stats})
    return rows


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def runs_csv(records: Sequence[dict]) -> str:
    """Every run and every metric, one row per run."""
    keys = sorted({k for r in records for k in r["metrics"]})
    header = ["run", "group", "variant", "seed", "status", "wall_time_s", "commit", "dirty",
              "device", *keys]
    rows = [[r["run"], r["group"], r["variant"], r["seed"], r["status"], r["wall_time_s"],
             r["commit"], r["dirty"], r["device"], *(r["metrics"].get(k, "") for k in keys)]
            for r in records]
    return _csv(header, rows)


def summary_csv(rows: Sequence[dict]) -> str:
    """Every group, every metric's mean, std and count over seeds."""
    keys = sorted({k for r in rows for k in r["metrics"]})
    header = ["group", "variant", "seeds", "wall_time_s"]
    header += [f"{k}{s}" for k in keys for s in ("_mean", "_std", "_n")]
    table = [[r["group"], r["variant"], " ".join(map(str, r["seeds"])), r["wall_time_s"],
              *(r["metrics"][k][s] if k in r["metrics"] else ""
                for k in keys for s in ("mean", "std", "n"))] for r in rows]
    return _csv(header, table)


def headline_columns(rows: Sequence[dict]) -> list[tuple[str, str]]:
    """The HEADLINE metrics some group has and the named realism or task instances' refined
    accuracies; else every non-spread metric."""
    keys = {k for r in rows for k in r["metrics"]}
    columns = [(k, label) for k, label in HEADLINE if k in keys] + paired.instance_accuracies(
        keys, HEADLINE)
    return columns or [(k, k) for k in sorted(keys) if not report.is_spread(k, keys)]


def markdown(rows: Sequence[dict], records: Sequence[dict], reference: str | None = None) -> str:
    """The results table: mean ± std over seeds of the headline metrics, one row per group;
    then, with a ``reference`` group, each other group's difference from it paired by seed."""
    columns = headline_columns(rows)
    table = []
    for row in rows:
        cells = []
        for key, _ in columns:
            stat = row["metrics"].get(key)
            cells.append("—" if stat is None else
                         f"{stat['mean']:.4g} ± {stat['std']:.2g}" if stat["n"] > 1 else
                         f"{stat['mean']:.4g}")
        table.append([row["group"], len(row["seeds"]), *cells])
    lines = [markdown_table(["run", "seeds", *(label for _, label in columns)], table)]
    unfinished = [f"{r['run']} ({r['status']})" for r in records if r["status"] != runner.DONE]
    notes = ["", "Mean ± sample standard deviation over seeds; every metric is in summary.csv "
             "and runs.csv."]
    if unfinished:
        notes.append("Not finished, left out: " + ", ".join(unfinished) + ".")
    if reference is not None:
        notes += ["", paired.markdown(paired.compare(records, reference), reference)]
    return "\n".join(lines + notes) + "\n"


def write_all(root: str, runs: Sequence[Run], reference: str | None = None) -> str:
    """Writes runs.csv, summary.csv, summary.md, the plots and the HParams logs; returns the dir.
    The groups are compared with ``reference`` (default: 'baseline' when the grid has it)."""
    from simgan.tools.ablate import hparams, plots  # pylint: disable=import-outside-toplevel

    out = os.path.join(root, SUMMARY_DIR)
    records = collect(root, runs)
    rows = aggregate(records)
    reference = paired.reference_group([r["group"] for r in rows], reference)
    atomic_write_text(os.path.join(out, "runs.csv"), runs_csv(records))
    atomic_write_text(os.path.join(out, "summary.csv"), summary_csv(rows))
    atomic_write_text(os.path.join(out, "summary.md"), markdown(rows, records, reference))
    plots.metric_plots(out, rows, headline_columns(rows))
    plots.samples(out, root, records)
    hparams.write(os.path.join(out, hparams.HPARAMS_DIR), records)
    return out
