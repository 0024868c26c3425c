"""Evaluators are named instances with a type: two instances of one type are configured under
their own gin scopes and reported under their own names; a repeated name is one line."""

import gin
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core import data
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.core.registries import EVALUATORS
from simgan.plugins import loading
from train_cli import TOY_CONFIG


@EVALUATORS.register("scaled_mean_test")
class ScaledMean:
    """The refined images' mean times ``scale``, and the run's real dataset, for the test."""

    def __init__(self, *, seed, output_dir, domains, scale: float = 1.0):
        self.scale, self.domains = scale, domains

    def evaluate(self, generator, step):
        images = tf.zeros([2, 8, 12, 1])
        return {"value": self.scale * float(tf.reduce_mean(generator(images) * 0 + 1))}


def test_two_instances_of_one_type_have_their_own_bindings_and_names(tmp_path):
    loading.load_all()
    gin.parse_config(TOY_CONFIG + "train.image_every = 0\n"
                     "train.evaluators = ['scaled_mean_test', ('tripled', 'scaled_mean_test')]\n"
                     "tripled/scaled_mean_test.scale = 3.0\n")
    engine = Engine(TrainConfig(), str(tmp_path / "m"), 0, tf.distribute.OneDeviceStrategy("/cpu:0"))
    assert engine.evaluators["tripled"].domains.real == "toy_squares"
    results = engine.train()
    assert results == {"scaled_mean_test/value": 1.0, "tripled/value": 3.0}


def test_a_repeated_instance_name_is_one_line():
    with pytest.raises(ValueError, match="train.evaluators: the name 'gaze' is used twice"):
        TrainConfig(evaluators=("gaze", ("gaze", "c2st"))).evaluator_instances()


def test_an_instance_draws_a_scoped_dataset_with_that_scopes_bindings():
    """An instance is built under its own gin scope ('c2st_train'), but a dataset it names by
    scope ('heldout') takes that scope's bindings, as cut/versus/evaluation.gin's
    ('c2st_mpiigaze', 'c2st') reads heldout/image_array.path (a nested scope lost them)."""
    gin.clear_config()
    gin.parse_config("heldout/toy_squares.num_examples = 5\n"
                     "c2st_train/heldout/toy_squares.num_examples = 7\n")
    with gin.config_scope("c2st_train"):
        dataset = data.build("toy_squares", "heldout", 0)
    assert int(dataset.cardinality()) == 5
