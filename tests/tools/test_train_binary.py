"""`simgan-train` end to end on a tiny dataset: outputs, errors before training, NaN stop."""

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, write_config


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    model_dir = tmp / "model"
    result = run_train(model_dir, write_config(tmp), "--seed=1")
    assert result.returncode == 0, result.stderr[-3000:]
    return model_dir, result


def test_run_writes_every_artifact(finished_run):
    model_dir, result = finished_run
    files = set(os.listdir(model_dir))
    assert "operative_config.gin" in files and "export" in files
    assert any(f.startswith("events.out.tfevents") for f in files)
    grids = sorted(os.listdir(model_dir / "grids"))
    assert grids[0] == "step_000000.png" and "step_000018.png" in grids
    ckpt = tf.train.latest_checkpoint(str(model_dir / "checkpoints"))
    assert ckpt.endswith("ckpt-18")  # 4 + 2 + 4 * (2 + 1) steps
    config = (model_dir / "operative_config.gin").read_text()
    assert "train.batch_size = 8" in config and "resnet.num_blocks = 1" in config
    # Stdout (a pipe here): a plain line per stage with its losses, steps/s and ETA, no log lines,
    # and a closing report with the paths.
    out = result.stdout
    for stage in ("pretrain R (steps 1-4)", "pretrain D (steps 5-6)", "adversarial (steps 7-18)"):
        assert stage in out, out
    assert "12/12" in out and "steps/s" in out and "refiner: local_adversarial " in out
    assert f"refiner: {model_dir / 'export' / 'refiner.keras'}" in out
    assert not [line for line in result.stderr.splitlines() if line[:1] in "EWI" and line[1:2].isdigit()], result.stderr


def test_exported_refiner_loads_without_training_code(finished_run):
    model_dir, _ = finished_run
    refiner = keras.saving.load_model(model_dir / "export" / "refiner.keras")
    x = np.zeros([2, 8, 12, 1], np.float32)
    assert refiner(x).shape == (2, 8, 12, 1)


def test_tensorboard_has_losses_accuracies_learning_rates_and_grids(finished_run):
    model_dir, _ = finished_run
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(model_dir), size_guidance={"tensors": 0}).Reload()
    tags = set(events.Tags()["tensors"])
    for tag in ["refiner/local_adversarial", "refiner/self_regularization", "discriminator/total",
                "discriminator/accuracy_real", "discriminator/accuracy_refined",
                "refiner/learning_rate", "discriminator/learning_rate", "steps_per_second",
                "synthetic_refined_real"]:
        assert tag in tags, tag


def test_gin_typo_fails_before_training_with_the_wrong_name(tmp_path):
    gin_file = write_config(tmp_path, TOY_CONFIG + "resnet.num_blockz = 2\n")
    result = run_train(tmp_path / "m", gin_file)
    assert result.returncode == 1
    assert "num_blockz" in result.stderr
    assert not (tmp_path / "m" / "checkpoints").exists()


def test_unknown_component_fails_before_training_listing_known_names(tmp_path):
    """Also checks train.deterministic = False (logged before the run is built), to spare the suite
    one more TensorFlow start-up; the default (on) is checked in tests/core/engine/test_distribute.py."""
    result = run_train(tmp_path / "m", write_config(tmp_path), "--gin_param=simgan.refiner='resnett'",
                       "--gin_param=train.deterministic=False", "--verbosity=0")
    assert result.returncode == 1
    assert "Unknown generators component 'resnett'" in result.stderr and "resnet" in result.stderr
    assert not (tmp_path / "m" / "checkpoints").exists()
    assert "Deterministic ops: False" in result.stderr


def test_nan_loss_stops_with_a_clear_message_and_keeps_last_good_checkpoint(tmp_path):
    # Refiner pretraining is healthy; a huge discriminator learning rate then makes its
    # weights and losses overflow to inf/NaN within a few steps.
    config = TOY_CONFIG.replace("simgan.iterations = 4", "simgan.iterations = 40")
    gin_file = write_config(tmp_path, config + "discriminator/sgd.learning_rate = 1e38\n"
                            "simgan.refiner_pretrain_steps = 5\n"
                            "simgan.discriminator_pretrain_steps = 0\n")
    result = run_train(tmp_path / "m", gin_file)
    assert result.returncode == 1
    assert "Training diverged" in result.stderr and "last good checkpoint is kept" in result.stderr
    ckpt = tf.train.latest_checkpoint(str(tmp_path / "m" / "checkpoints"))
    assert ckpt is not None and ckpt.endswith("ckpt-5")
    # Nothing is written of diverged weights: no grid from the diverged step on, no evaluation.
    bad = int(re.search(r"at step (\d+) \(detected", result.stderr).group(1))
    grids = sorted((tmp_path / "m" / "grids").glob("step_*.png"))
    assert grids and all(int(g.stem.split("_")[1]) < bad for g in grids)
    assert not (tmp_path / "m" / "evaluation.json").exists()
    reader = tf.train.load_checkpoint(ckpt)
    for name, dtype in reader.get_variable_to_dtype_map().items():
        if dtype.is_floating:
            assert np.all(np.isfinite(reader.get_tensor(name))), name

