"""The run's TensorBoard: the operative gin config as text, HParams from its scalar bindings,
evaluation results grouped in one table per evaluation, evaluator plots as images, all read
back from the event files."""

import glob
import os

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.plugins.hparams import plugin_data_pb2

from simgan.io import figures
from simgan.io.report import evaluation_table
from simgan.io.summaries import scalar_bindings, Summaries

CONFIG = """import simgan.tools.train

# Parameters for train:
# ==============================================================================
train.batch_size = 32
train.evaluators = ['c2st']
simgan.refiner = @resnet
train.use_history = True
real/eye_simulator.domain = 'real_like'
resnet.learning_rate = 0.001
"""
RESULTS = {"c2st/refined/accuracy": 0.91, "c2st/refined/accuracy_ci_low": 0.88,
           "c2st/refined/accuracy_ci_high": 0.93, "gaze/synthetic_1x/error_deg": 9.5,
           "gaze/synthetic_1x/error_deg_std": 0.25}


def _values(log_dir):
    """{tag: [(step, value proto)]} from every event file in ``log_dir``."""
    values = {}
    for path in glob.glob(os.path.join(log_dir, "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                values.setdefault(value.tag, []).append((event.step, value))
    return values


def _text(value):
    return tf.make_ndarray(value.tensor).item().decode()


def test_scalar_bindings_keep_scalars_by_scoped_name():
    assert scalar_bindings(CONFIG) == {
        "train.batch_size": 32, "train.use_history": True,
        "real/eye_simulator.domain": "real_like", "resnet.learning_rate": 0.001}


def test_evaluation_table_puts_spreads_in_the_cells():
    lines = evaluation_table({**RESULTS, "misc": 3.0, "c2st/synthetic/accuracy": float("nan")})
    assert "| c2st/accuracy | n/a | 0.91 [0.88, 0.93] |" in lines.splitlines()
    assert "| gaze/error_deg (1x) | 9.5 ± 0.25 (std) | — |" in lines.splitlines()
    assert "| misc | 3 |" in lines.splitlines() and "_ci_" not in lines


def test_config_hparams_evaluation_and_plots_are_in_the_events(tmp_path):
    plots = tmp_path / "eval" / "nearest_real"
    fig = figures.figure(2, 1)
    fig.subplots().plot([0, 1])
    figures.save_figure(fig, str(plots / "step_000010.png"), dpi=50)
    figures.save_figure(fig, str(plots / "step_000005.png"), dpi=50)  # another step: not logged
    summaries = Summaries(str(tmp_path))
    summaries.config(0, CONFIG)
    summaries.evaluation(10, RESULTS, plots_dir=str(tmp_path / "eval"))
    summaries.evaluation(20, RESULTS, plots_dir=str(tmp_path / "eval"))
    values = _values(str(tmp_path))

    (step, config), = values[Summaries.CONFIG_TAG]
    assert step == 0 and _text(config).startswith("```\nimport simgan.tools.train")
    assert "train.batch_size = 32" in _text(config) and _text(config).endswith("\n```")

    hparams = [plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content)
               for tag, entries in values.items() if tag.startswith("_hparams_/")
               for _, v in entries]
    session, = [h.session_start_info for h in hparams if h.HasField("session_start_info")]
    assert session.hparams["train.batch_size"].number_value == 32
    assert session.hparams["real/eye_simulator.domain"].string_value == "real_like"
    experiment, = [h.experiment for h in hparams if h.HasField("experiment")]
    assert [m.name.tag for m in experiment.metric_infos] == [
        "eval/c2st/refined/accuracy", "eval/gaze/synthetic_1x/error_deg"]
    assert {h.name for h in experiment.hparam_infos} == set(scalar_bindings(CONFIG))

    assert [s for s, _ in values["eval/c2st/refined/accuracy"]] == [10, 20]
    assert not [tag for tag in values if tag.endswith(("_ci_low", "_ci_high", "_std"))]
    (step, table), _ = values[Summaries.RESULTS_TAG]
    assert step == 10 and "| c2st/accuracy | — | 0.91 [0.88, 0.93] |" in _text(table)

    (step, plot), = values["eval/nearest_real/plot"]
    width, height = (int(x) for x in tf.make_ndarray(plot.tensor)[:2])
    assert step == 10 and (width, height) == (100, 50)


@pytest.mark.parametrize("text, fence", [("a = 1", "```"), ("doc = 'x ```` y'", "`````")])
def test_config_text_fence_outlasts_backticks_in_it(tmp_path, text, fence):
    Summaries(str(tmp_path)).config(3, text)
    (_, value), = _values(str(tmp_path))[Summaries.CONFIG_TAG]
    assert _text(value) == f"{fence}\n{text}\n{fence}"


def test_plot_names_after_the_step_become_tags(tmp_path):
    image = np.zeros((4, 6, 3), np.uint8)
    figures.write_png(str(tmp_path / "gaze" / "step_000001_curves.png"), image)
    summaries = Summaries(str(tmp_path / "run"))
    summaries.evaluation(1, {"gaze/refined_1x/error_deg": 8.0}, plots_dir=str(tmp_path))
    assert "eval/gaze/curves" in _values(str(tmp_path / "run"))
