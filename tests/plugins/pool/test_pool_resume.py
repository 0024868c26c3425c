"""Training from pools resumes exactly: a run stopped midway and restored from its checkpoint
ends with the same weights, bit for bit, as an uninterrupted one (CPU)."""

import numpy as np
import pytest

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.plugins import loading
from train_cli import TOY_CONFIG, train_engine

loading.load_all()


def train(tmp_path, model_dir, iterations, replacement):
    return train_engine(model_dir, TOY_CONFIG + f"""
train.image_every = 0
train.steps_per_call = 4
simgan.iterations = {iterations}
train.synthetic_dataset = 'pool'
train.real_dataset = 'pool'
pool.dataset = 'toy_squares'
pool.replacement = {replacement}
pool.cache_dir = '{tmp_path / "cache"}'
""", seed=11)


@pytest.mark.parametrize("replacement", [True, False], ids=["replacement", "epochs"])
def test_stopped_and_resumed_run_matches_the_uninterrupted_one(tmp_path, replacement):
    straight = train(tmp_path, tmp_path / "straight", 6, replacement)
    train(tmp_path, tmp_path / "resumed", 3, replacement)  # stops with a checkpoint at its end
    resumed = train(tmp_path, tmp_path / "resumed", 6, replacement)
    assert int(resumed.step.numpy()) == int(straight.step.numpy()) == 4 + 2 + 6 * 3
    assert resumed.values() == straight.values()
    for a, b in zip(straight.task.generator.weights + straight.task.critic.weights,
                    resumed.task.generator.weights + resumed.task.critic.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    state = straight.sources["synthetic"].state
    np.testing.assert_array_equal(state.drawn.numpy(),
                                  resumed.sources["synthetic"].state.drawn.numpy())
