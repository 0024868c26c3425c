"""Objectives as weighted lists of loss terms: building, the deprecated slots, training with
extra terms, and old-style configs resuming into new-style runs."""

import gin
import numpy as np
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core import objectives, plugins
from simgan.core.trainer import TrainConfig, Trainer
from train_cli import TOY_CONFIG

plugins.load_all()
PAPER = [("local_adversarial", 1.0), ("self_regularization", 1.0)]


def test_objective_metric_names_come_from_term_names():
    objective = objectives.build("refiner", PAPER, "simgan.refiner_objective")
    assert objective.metric_names() == ("refiner/local_adversarial", "refiner/self_regularization",
                                        "refiner/total")


@pytest.mark.parametrize("spec, message", [
    ([("self_regularization", 1.0)], "has no discriminator loss"),
    ([("local_adversarial", 1.0), ("local_adversarial", 2.0)], "listed twice"),
    (["local_adversarial"], "(term name, weight) pairs"),
    ([], "at least one term"),
])
def test_bad_discriminator_objective_names_the_binding(spec, message):
    with pytest.raises(ValueError, match="simgan.discriminator_objective") as e:
        objectives.build("discriminator", spec, "simgan.discriminator_objective")
    assert message in str(e.value)


def test_deprecated_slots_edit_the_objectives():
    refiner, discriminator = objectives.resolve(PAPER, [("local_adversarial", 1.0)],
                                                "least_squares_adversarial", None, 0.5)
    assert refiner == [("least_squares_adversarial", 1.0), ("self_regularization", 0.5)]
    assert discriminator == [("least_squares_adversarial", 1.0)]
    with pytest.raises(ValueError, match="refiner/self_regularization.weight"):
        objectives.resolve([("local_adversarial", 1.0)], [], None, None, 0.5)


def _trainer(tmp_path, name, extra=""):
    gin.clear_config()
    gin.parse_config(TOY_CONFIG + "train.image_every = 0\n" + extra)
    return Trainer(TrainConfig(), str(tmp_path / name), 3, tf.distribute.OneDeviceStrategy("/cpu:0"))


def test_extra_terms_train_and_are_recorded(tmp_path):
    trainer = _trainer(tmp_path, "r1", "simgan.discriminator_objective = "
                       "[('least_squares_adversarial', 1.0), ('r1_penalty', 10.0)]\n")
    trainer.train()
    values = trainer.training.values()
    assert values["discriminator/r1_penalty"] > 0
    total = values["discriminator/least_squares_adversarial"] + 10 * values["discriminator/r1_penalty"]
    np.testing.assert_allclose(values["discriminator/total"], total, rtol=1e-5)


def test_old_style_config_and_checkpoint_still_work(tmp_path):
    old = ("train.adversarial_loss = 'local_adversarial'\n"
           "train.self_regularization = 'self_regularization'\n"
           "refiner/self_regularization.weight = 0.5\n")
    trainer = _trainer(tmp_path, "run", old)
    trainer.train()
    before = [w.numpy() for w in trainer.refiner.weights]
    resumed = _trainer(tmp_path, "run", "simgan.refiner_objective = "
                       "[('local_adversarial', 1.0), ('self_regularization', 0.5)]\n")
    resumed.checkpointer.restore_latest()
    assert int(resumed.step.numpy()) == trainer.schedule.total
    for a, b in zip(before, resumed.refiner.weights):
        np.testing.assert_array_equal(a, b.numpy())
