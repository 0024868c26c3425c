"""Aggregation over seeds, tables, plots and the HParams view, from fabricated run dirs."""

import csv
import glob
import json
import math
import os

import pytest
import tensorflow as tf
from PIL import Image
from tensorboard.plugins.hparams import plugin_data_pb2

from simgan.io import evaluation_file
from simgan.tools.ablate import hparams, paired, plan, plots, runner, summary

ERROR = "gaze/refined_1x/error_deg"


def fabricate(root, run: plan.Run, error=None, d_losses=(), rates=(), done=True, metrics=None):
    """A run dir as the runner and trainer leave it (events with scalars at steps 1, 2, ...)."""
    directory = os.path.join(root, run.name)
    os.makedirs(directory)
    with open(os.path.join(directory, runner.PLAN_FILE), "w") as f:
        json.dump({"run": run.to_json(), "attempts": [], "commands": []}, f)
    if error is not None:
        evaluation_file.append_results(os.path.join(directory, "evaluation.json"), 5, {ERROR: 99.0})
        evaluation_file.append_results(os.path.join(directory, "evaluation.json"), 10,
                                       {ERROR: error, **(metrics or {})})
    writer = tf.summary.create_file_writer(directory)
    with writer.as_default():
        for step, value in enumerate(d_losses, 1):
            tf.summary.scalar("discriminator/total", value, step=step)
            tf.summary.scalar("discriminator/learning_rate", 0.1, step=step)
        for step, value in enumerate(rates, 1):
            tf.summary.scalar("steps_per_second", value, step=step)
    writer.close()
    if done:
        with open(os.path.join(directory, runner.DONE_FILE), "w") as f:
            json.dump({**run.to_json(), "wall_time_s": 10.0 + run.seed,
                       "code": {"commit": "abc", "dirty": False}, "device": {"kind": "CPU"}}, f)


def run(variant, seed, sweep=()):
    name = "__".join([variant, *(f"{k}={v}" for k, v in sweep), f"seed={seed}"])
    return plan.Run(name, variant, (), tuple(f"{k}={v}" for k, v in sweep), tuple(sweep), seed)


@pytest.fixture
def grid(tmp_path):
    root = str(tmp_path / "grid")
    runs = [run("history", 0), run("history", 1), run("history", 2),
            run("none", 0, [("self_regularization.weight", "0.5")]),
            run("none", 1, [("self_regularization.weight", "0.5")])]
    fabricate(root, runs[0], 4.0, d_losses=[3.0, 2.0], rates=[10, 20])
    fabricate(root, runs[1], 6.0, d_losses=[3.0, 1.0], rates=[30])
    fabricate(root, runs[2], 8.0)
    fabricate(root, runs[3], 7.0)
    fabricate(root, runs[4], 9.0, done=False)  # interrupted: not in the means
    return root, runs


def test_mean_and_std_over_seeds(grid):
    root, runs = grid
    records = summary.collect(root, runs)
    assert [r["status"] for r in records] == ["done"] * 4 + ["interrupted"]
    assert records[0]["metrics"] == {ERROR: 4.0, "discriminator/total": 2.0,
                                     "steps_per_second": 15.0}  # last eval record, last step
    rows = {r["group"]: r for r in summary.aggregate(records)}
    assert set(rows) == {"history", "none__self_regularization.weight=0.5"}
    error = rows["history"]["metrics"][ERROR]
    assert (error["mean"], error["n"]) == (6.0, 3)
    assert math.isclose(error["std"], 2.0)  # sample std of 4, 6, 8
    loss = rows["history"]["metrics"]["discriminator/total"]
    assert (loss["mean"], loss["n"]) == (1.5, 2) and math.isclose(loss["std"], math.sqrt(0.5))
    single = rows["none__self_regularization.weight=0.5"]
    assert single["seeds"] == [0] and single["metrics"][ERROR] == {"mean": 7.0, "std": 0.0, "n": 1}
    assert rows["history"]["wall_time_s"] == 11.0


def test_tables_plots_and_hparams_are_written(grid):
    root, runs = grid
    out = summary.write_all(root, runs)
    table = open(os.path.join(out, "summary.md")).read()
    assert "| history | 3 | 6 ± 2 |" in table
    assert "| none__self_regularization.weight=0.5 | 1 | 7 |" in table
    assert "none__self_regularization.weight=0.5__seed=1 (interrupted)" in table
    with open(os.path.join(out, "summary.csv")) as f:
        rows = {r["group"]: r for r in csv.DictReader(f)}
    assert float(rows["history"][ERROR + "_mean"]) == 6.0
    with open(os.path.join(out, "runs.csv")) as f:
        assert len(list(csv.DictReader(f))) == 5
    chart = Image.open(os.path.join(out, plots.PLOTS_DIR, "gaze_refined_1x_error_deg.png"))
    assert chart.width >= 320 and chart.getcolors(1 << 16) and len(chart.getcolors(1 << 16)) > 2

    sessions = read_hparams(os.path.join(out, hparams.HPARAMS_DIR))
    assert set(sessions) == {r.name for r in runs[:4]}
    history0 = sessions["history__seed=0"]
    assert history0["hparams"] == {"variant": "history", "seed": 0.0}
    assert history0["metrics"][ERROR] == 4.0
    swept = sessions["none__self_regularization.weight=0.5__seed=0"]["hparams"]
    assert swept["self_regularization.weight"] == 0.5


def read_hparams(log_dir):
    """{run: {"hparams": {...}, "metrics": {...}}} read back from the event files; also checks
    that the experiment config sits at the root."""
    def events(directory):
        for path in glob.glob(os.path.join(directory, "events.out.tfevents.*")):
            for event in tf.compat.v1.train.summary_iterator(path):
                for value in event.summary.value:
                    yield value

    configs = [v for v in events(log_dir) if v.metadata.plugin_data.plugin_name == "hparams"]
    experiment = plugin_data_pb2.HParamsPluginData.FromString(configs[0].metadata.plugin_data.content)
    assert ERROR in [m.name.tag for m in experiment.experiment.metric_infos]
    sessions = {}
    for run_dir in sorted(os.listdir(log_dir)):
        if not os.path.isdir(os.path.join(log_dir, run_dir)):
            continue
        record = {"hparams": {}, "metrics": {}}
        for value in events(os.path.join(log_dir, run_dir)):
            if value.metadata.plugin_data.plugin_name == "hparams":
                data = plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content)
                for key, v in data.session_start_info.hparams.items():
                    record["hparams"][key] = v.string_value or v.number_value
            else:
                record["metrics"][value.tag] = float(tf.make_ndarray(value.tensor))
        sessions[run_dir] = record
    return sessions


def test_samples_stack_the_last_grid_of_each_group(grid, tmp_path):
    root, runs = grid
    for name, step, size in (("history__seed=0", 10, (40, 30)), ("history__seed=0", 20, (60, 30)),
                             ("history__seed=1", 20, (50, 30))):
        os.makedirs(os.path.join(root, name, "grids"), exist_ok=True)
        Image.new("RGB", size).save(os.path.join(root, name, "grids", f"step_{step:06d}.png"))
    path = plots.samples(str(tmp_path), root, summary.collect(root, runs))
    sheet = Image.open(path)
    assert sheet.width >= 360 and sheet.height < 100  # one panel: seed 0's step 20 grid only
    assert plots.samples(str(tmp_path), str(tmp_path / "empty"), []) is None


def test_bad_evaluation_file_is_named(grid):
    root, runs = grid
    with open(os.path.join(root, runs[0].name, "evaluation.json"), "w") as f:
        f.write("{broken")
    with pytest.raises(ValueError, match="evaluation.json"):
        summary.collect(root, runs)


def test_groups_are_compared_with_the_baseline_paired_by_seed(tmp_path):
    root = str(tmp_path / "grid")
    refined = {"baseline": (8.0, 8.5, 7.5), "worse": (9.5, 9.6, 9.4), "same": (8.1, 8.3, 7.6)}
    runs = []
    for variant, errors in refined.items():
        for seed, error in enumerate(errors):
            runs.append(run(variant, seed))
            fabricate(root, runs[-1], error, metrics={"gaze/synthetic_1x/error_deg": 10.0,
                                                      "gaze/refined_1x/validation_error_deg": error,
                                                      "gaze/synthetic_1x/validation_error_deg": 10.0})
    records = summary.collect(root, runs)
    assert records[0]["metrics"]["gaze/refined_1x/gain_pct"] == pytest.approx(20.0)
    assert records[0]["metrics"]["gaze/refined_1x/validation_gain_pct"] == pytest.approx(20.0)
    rows = {c["group"]: c["metrics"] for c in paired.compare(records, "baseline")}
    worse = rows["worse"]["gaze/refined_1x/gain_pct"]
    assert worse["diffs"] == pytest.approx([-15.0, -11.0, -19.0])
    assert (worse["mean"], worse["n"]) == (pytest.approx(-15.0), 3) and worse["p"] < 0.05
    assert rows["same"]["gaze/refined_1x/gain_pct"]["p"] > 0.05

    table = open(os.path.join(summary.write_all(root, runs), "summary.md")).read()
    assert "| worse | 3 | **-15 ± 4** (p 0.023)" in table
    assert "| same | 3 | +0 ± 1.7 (p 1)" in table
    with pytest.raises(ValueError, match="--reference: no group 'nope'"):
        summary.write_all(root, runs, reference="nope")


def test_a_named_realism_instance_is_a_column_and_compared(tmp_path):
    """('c2st_mpiigaze', 'c2st') writes c2st_mpiigaze/refined/accuracy: shown and paired."""
    root = str(tmp_path / "grid")
    accuracy = {"simgan": (0.90, 0.92, 0.94), "cut": (0.80, 0.83, 0.83)}
    runs = []
    for variant, values in accuracy.items():
        for seed, value in enumerate(values):
            runs.append(run(variant, seed))
            fabricate(root, runs[-1], 8.0, metrics={"c2st_mpiigaze/refined/accuracy": value,
                                                    "c2st/refined/accuracy": 0.9})
    records = summary.collect(root, runs)
    rows = {c["group"]: c["metrics"] for c in paired.compare(records, "simgan")}
    assert rows["cut"]["c2st_mpiigaze/refined/accuracy"]["diffs"] == pytest.approx(
        [-0.10, -0.09, -0.11])
    table = open(os.path.join(summary.write_all(root, runs, reference="simgan"),
                              "summary.md")).read()
    assert "c2st_mpiigaze refined accuracy" in table.splitlines()[0]
    assert "| cut | 3 | +0 ± 0 | +0 ± 0 | **-0.1 ± 0.01** (p 0.0033) |" in table
