"""`diversity`: the refiner is rewarded for refining one image differently under two noise
draws, up to ``tau``; a deterministic refiner gets nothing from it; it is not a content term
for the health checks; one gin line adds it to S+U with a style-code refiner, and it trains."""

import re

import numpy as np
import pytest
import tensorflow as tf

from simgan.core import losses
from simgan.core.registries import GENERATORS
from simgan.plugins import loading
from simgan.plugins.simgan.diversity import diversity
from train_cli import TOY_CONFIG, run_train, write_config

loading.load_all()


def _loss(term, refiner, images):
    refined = refiner(images, training=True)
    return term.refiner_loss(losses.RefinerInputs(synthetic=images, refined=refined,
                                                  discriminator=None, refiner=refiner)).numpy()


def test_the_reward_is_the_distance_between_two_draws_clipped_at_tau():
    tf.keras.utils.set_random_seed(0)
    images = tf.random.stateless_uniform([4, 8, 8, 1], [1, 2], -1, 1)
    styled = GENERATORS.build("resnet", input_shape=(8, 8, 1), filters=4, num_blocks=1,
                              style_channels=2)
    wide = _loss(diversity(tau=10.0), styled, images)
    assert wide.shape == (4,) and np.all(wide < 0) and np.all(wide > -2)
    np.testing.assert_allclose(_loss(diversity(tau=1e-4), styled, images), -1e-4, rtol=1e-5)
    plain = GENERATORS.build("resnet", input_shape=(8, 8, 1), filters=4, num_blocks=1)
    np.testing.assert_allclose(_loss(diversity(), plain, images), 0.0)
    with pytest.raises(ValueError, match="diversity.tau: expected > 0"):
        diversity(tau=0.0)


def test_it_is_not_read_as_a_content_term():
    objective = losses.Objective("refiner", (
        ("local_adversarial", losses.LOSSES.build("local_adversarial")),
        ("self_regularization", losses.LOSSES.build("self_regularization")),
        ("diversity", diversity())))
    assert objective.term_metrics(True) == ("refiner/local_adversarial",)
    assert objective.term_metrics(False) == ("refiner/self_regularization",)


def test_one_gin_line_adds_it_to_sU_and_it_trains(tmp_path):
    config = write_config(tmp_path, TOY_CONFIG + """
resnet.style_channels = 2
simgan.refiner_objective = ['local_adversarial', 'self_regularization', 'diversity']
""")
    result = run_train(tmp_path / "m", config, "--verbosity=0")
    assert result.returncode == 0, result.stderr[-3000:]
    values = [float(v) for v in re.findall(r"refiner/diversity=([0-9.e+-]+)", result.stderr)]
    assert values and all(-0.1 <= v < 0 for v in values)
