"""Objectives as lists of loss terms with per-term weights: building, errors naming the
binding, training with extra terms, and a term's weight set by one gin binding."""

import gin
import numpy as np
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core import losses
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.plugins import loading
from train_cli import TOY_CONFIG

loading.load_all()
PAPER = ["local_adversarial", "self_regularization"]


def test_objective_metric_names_come_from_term_names():
    objective = losses.build("refiner", PAPER, "simgan.refiner_objective")
    assert objective.metric_names() == ("refiner/local_adversarial", "refiner/self_regularization",
                                        "refiner/total")
    assert objective.metric_names(adversarial=False) == ("refiner/self_regularization",
                                                         "refiner/total")


@pytest.mark.parametrize("spec, message", [
    (["self_regularization"], "has no discriminator loss"),
    (["local_adversarial", "local_adversarial"], "listed twice"),
    ([("local_adversarial", 1.0)], "discriminator/self_regularization.weight"),
    ([], "at least one term"),
])
def test_bad_discriminator_objective_names_the_binding(spec, message):
    with pytest.raises(ValueError, match="simgan.discriminator_objective") as e:
        losses.build("discriminator", spec, "simgan.discriminator_objective")
    assert message in str(e.value)


def test_weight_is_a_parameter_of_each_term_in_its_players_scope():
    gin.parse_config("refiner/self_regularization.weight = 2.5\n"
                     "discriminator/local_adversarial.weight = 0.5")
    refiner = losses.build("refiner", PAPER, "simgan.refiner_objective")
    discriminator = losses.build("discriminator", ["local_adversarial"], "b")
    assert [term.weight for _, term in refiner.terms] == [1.0, 2.5]
    assert discriminator.terms[0][1].weight == 0.5


def _engine(tmp_path, name, extra=""):
    gin.clear_config()
    gin.parse_config(TOY_CONFIG + "train.image_every = 0\n" + extra)
    return Engine(TrainConfig(), str(tmp_path / name), 3, tf.distribute.OneDeviceStrategy("/cpu:0"))


def test_extra_terms_train_and_are_recorded(tmp_path):
    engine = _engine(tmp_path, "r1", "simgan.discriminator_objective = "
                     "['least_squares_adversarial', 'r1_penalty']\n"
                     "discriminator/r1_penalty.weight = 10.0\n")
    engine.train()
    values = engine.values()
    assert values["discriminator/r1_penalty"] > 0
    total = values["discriminator/least_squares_adversarial"] + 10 * values["discriminator/r1_penalty"]
    np.testing.assert_allclose(values["discriminator/total"], total, rtol=1e-5)


def test_term_weight_changes_training(tmp_path):
    short = ("simgan.refiner_pretrain_steps = 1\nsimgan.discriminator_pretrain_steps = 1\n"
             "simgan.iterations = 1\n")
    a = _engine(tmp_path, "a", short + "refiner/self_regularization.weight = 0.0\n")
    a.train()
    b = _engine(tmp_path, "b", short + "refiner/self_regularization.weight = 5.0\n")
    b.train()
    np.testing.assert_allclose(a.values()["refiner/total"],
                               a.values()["refiner/local_adversarial"], rtol=1e-6)
    assert not np.array_equal(a.task.generator.get_weights()[0], b.task.generator.get_weights()[0])
