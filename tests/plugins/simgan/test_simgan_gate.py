"""Adaptive discriminator steps (simgan.discriminator_gate): the rule, and a run where the
gate never opens (the discriminator stays as built, pretraining included) against one where it
always does (the same weights as no gate)."""

import gin
import numpy as np
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.plugins import loading
from simgan.plugins.simgan.gate import discriminator_wins
from train_cli import TOY_CONFIG, train_engine

loading.load_all()


def test_wins_only_when_both_accuracies_are_above_the_threshold():
    real = tf.constant([0.99, 0.99, 0.5, 0.95, 0.96])
    refined = tf.constant([0.97, 0.5, 0.99, 0.99, 0.96])
    assert discriminator_wins(real, refined, 0.95).numpy().tolist() == [
        True, False, False, False, True]


def train(model_dir, gate, iterations=3, extra=""):
    return train_engine(model_dir, TOY_CONFIG + f"simgan.iterations = {iterations}\n"
                        f"train.image_every = 0\nsimgan.discriminator_gate = {gate}\n{extra}")


def critic_weights(engine):
    return [w.numpy() for w in engine.task.critic.weights]


def test_a_closed_gate_skips_every_update_and_an_open_one_changes_nothing(tmp_path):
    initial = train(tmp_path / "initial", None, iterations=0,  # the discriminator as built
                    extra="simgan.discriminator_pretrain_steps = 0")
    closed = train(tmp_path / "closed", 1e-9)  # accuracies above ~0 on both sides: skipped
    plain = train(tmp_path / "plain", None)
    always = train(tmp_path / "always", 1.0)  # no accuracy is above 1: always applied
    for a, b in zip(critic_weights(initial), critic_weights(closed)):
        np.testing.assert_array_equal(a, b)
    assert closed.values()["discriminator/updated"] == 0.0
    assert always.values()["discriminator/updated"] == 1.0
    for a, b in zip(critic_weights(plain), critic_weights(always)):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b)
               for a, b in zip(critic_weights(initial), critic_weights(plain)))


def test_a_threshold_outside_the_unit_interval_is_one_line():
    gin.clear_config()
    gin.parse_config(TOY_CONFIG + "simgan.discriminator_gate = 1.5\n")
    with pytest.raises(ValueError, match=r"simgan.discriminator_gate: expected None or an "
                                         r"accuracy in \(0, 1\], got 1.5"):
        Engine(TrainConfig(), "/tmp/unused_gate_run", 3)
