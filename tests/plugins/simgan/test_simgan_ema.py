"""simgan.refiner_ema_decay: the engine previews, evaluates and exports the averaged refiner
while the game trains the other; pretraining copies the weights; checkpoints keep the average,
so a resumed run ends as a straight one."""

import numpy as np
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.io import exported
from simgan.plugins import loading
from train_cli import TOY_CONFIG, train_engine

loading.load_all()


def train(model_dir, iterations=4, decay="0.5"):
    return train_engine(model_dir, TOY_CONFIG + f"simgan.iterations = {iterations}\n"
                        f"train.image_every = 0\nsimgan.refiner_ema_decay = {decay}\n")


def trainable(model):
    return [w.numpy() for w in model.trainable_variables]


def test_the_export_is_the_average_and_the_game_trains_the_refiner(tmp_path):
    engine = train(tmp_path / "m")
    task = engine.task
    assert task.generator is task.average.model and task.generator is not task.trained_refiner
    assert any(not np.allclose(a, b) for a, b in
               zip(trainable(task.generator), trainable(task.trained_refiner)))
    x = tf.random.stateless_uniform([3, 8, 12, 1], seed=[1, 2], minval=-1.0, maxval=1.0)
    refined = exported.load(str(tmp_path / "m" / exported.EXPORT_PATH))(x).numpy()
    np.testing.assert_allclose(refined, task.generator(x, training=False).numpy(), atol=1e-6)
    assert not np.allclose(refined, task.trained_refiner(x, training=False).numpy(), atol=1e-4)
    names = [name for name, _ in tf.train.list_variables(str(tmp_path / "m" / "checkpoints"))]
    assert any(name.startswith("refiner_average/") for name in names)


def test_pretraining_copies_the_weights(tmp_path):
    task = train(tmp_path / "m", iterations=0).task
    for a, b in zip(trainable(task.generator), trainable(task.trained_refiner)):
        np.testing.assert_array_equal(a, b)


def test_without_a_decay_the_trained_refiner_is_exported(tmp_path):
    task = train(tmp_path / "m", decay="None").task
    assert task.average is None and task.generator is task.trained_refiner


def test_a_resumed_run_ends_with_the_straight_runs_average(tmp_path):
    straight = train(tmp_path / "straight").task
    train(tmp_path / "resumed", iterations=2)
    engine = train(tmp_path / "resumed")
    assert engine.session_start == 4 + 2 + 2 * 3  # pretraining and two iterations of Kg + Kd
    for a, b in zip(trainable(straight.generator), trainable(engine.task.generator)):
        np.testing.assert_array_equal(a, b)


def test_averaging_leaves_the_game_unchanged(tmp_path):
    # Without grids (train.image_every = 0): a grid's call draws the previewed model's noise.
    plain = train(tmp_path / "plain", decay="None").task
    averaged = train(tmp_path / "averaged").task
    for a, b in zip(trainable(plain.trained_refiner) + trainable(plain.critic),
                    trainable(averaged.trained_refiner) + trainable(averaged.critic)):
        np.testing.assert_array_equal(a, b)
