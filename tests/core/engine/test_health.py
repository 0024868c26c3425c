"""Training health: a collapsed game stops the run with one line naming the symptom and the
step, keeping the last healthy checkpoint and its export; 'warn' lets it go on; a healthy run
raises nothing (every other training test runs with the default 'stop')."""

import json

import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, write_config

# A refiner at a learning rate 300x the paper's and no self-regularization: its tanh saturates
# and every input maps to the same image within a few adversarial steps.
COLLAPSING = TOY_CONFIG.replace("simgan.iterations = 4", "simgan.iterations = 30") + """
train.summary_every = 5
train.image_every = 0
train.checkpoint_every = 5
refiner/sgd.learning_rate = 3.0
refiner/self_regularization.weight = 0.0
"""


def _errors(result):
    return [line for line in result.stderr.splitlines() if "simgan-train: error" in line]


def test_collapse_stops_the_run_keeping_the_last_healthy_checkpoint_and_export(tmp_path):
    model_dir = tmp_path / "m"
    result = run_train(model_dir, write_config(tmp_path, COLLAPSING))
    assert result.returncode == 1
    errors = _errors(result)
    assert len(errors) == 1 and "Training unhealthy at step" in errors[0], result.stderr[-2000:]
    assert "collapsed_output" in errors[0] or "saturated_output" in errors[0]
    records = json.loads((model_dir / "evaluation.json").read_text())
    assert any(k.startswith("health/") for r in records for k in r)
    latest = tf.train.latest_checkpoint(str(model_dir / "checkpoints"))
    assert latest is not None and latest in errors[0]  # the last healthy one, named
    step = int(latest.rsplit("-", 1)[1])
    assert f"at step {step}" not in errors[0]  # detected after it
    assert (model_dir / "export" / "refiner.keras").exists()


def test_warn_reports_the_symptom_and_trains_to_the_end(tmp_path):
    config = write_config(tmp_path, COLLAPSING + "train.health = 'warn'\n")
    result = run_train(tmp_path / "m", config)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Training unhealthy at step" in result.stderr
    assert tf.train.latest_checkpoint(str(tmp_path / "m" / "checkpoints")).endswith("ckpt-96")
