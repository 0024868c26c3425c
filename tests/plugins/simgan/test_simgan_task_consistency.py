"""`task_consistency`: a frozen task model's prediction on R(x) held to x's label, as one gin
line in the refiner objective, its task model frozen (no trainable variables)."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import toy_gaze_data  # noqa: F401  (registers toy_gaze_eyes)
from simgan.core import losses
from simgan.plugins import loading
from simgan.plugins.simgan.task_consistency import task_consistency
from train_cli import run_train, write_config

loading.load_all()


def _estimator(path, shape=(20, 24, 1)):
    inputs = keras.Input(shape)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    model.save(path)
    return model


def test_loss_is_the_distance_to_the_label_and_the_model_stays_frozen(tmp_path):
    model = _estimator(tmp_path / "est.keras")
    term = task_consistency(model_path=str(tmp_path / "est.keras"), weight=2.0)
    images = tf.random.stateless_uniform([4, 20, 24, 1], [1, 2], -1, 1)
    labels = {"gaze": tf.constant(np.eye(3)[[0, 1, 2, 0]], tf.float32)}
    inputs = losses.RefinerInputs(synthetic=images, refined=images, discriminator=None,
                                  labels=labels)
    expected = np.sum((model(images).numpy() - labels["gaze"].numpy()) ** 2, axis=-1)
    np.testing.assert_allclose(term.refiner_loss(inputs).numpy(), expected, rtol=1e-5)
    assert term.weight == 2.0 and not term.model.trainable_variables
    with pytest.raises(ValueError, match="task_consistency.label: the synthetic batch has no"):
        term.refiner_loss(losses.RefinerInputs(images, images, None, labels={}))


def test_one_gin_line_adds_it_to_sU_and_it_trains(tmp_path):
    _estimator(tmp_path / "est.keras")
    config = write_config(tmp_path, f"""
train.synthetic_dataset = 'toy_gaze_eyes'
train.real_dataset = 'toy_gaze_eyes'
real/toy_gaze_eyes.domain = 'real_like'
train.batch_size = 8
train.image_every = 0
simgan.refiner_pretrain_steps = 2
simgan.discriminator_pretrain_steps = 1
simgan.iterations = 2
history.capacity_batches = 2
resnet.filters = 4
resnet.num_blocks = 1
simgan.refiner_objective = ['local_adversarial', 'self_regularization', 'task_consistency']
task_consistency.model_path = '{tmp_path / "est.keras"}'
refiner/task_consistency.weight = 0.5
""")
    result = run_train(tmp_path / "m", config, "--plugin=" + toy_gaze_data.__file__,
                       "--verbosity=0")
    assert result.returncode == 0, result.stderr[-3000:]
    values = [float(v) for v in re.findall(r"refiner/task_consistency=([0-9.e+-]+)",
                                             result.stderr)]
    assert values and all(np.isfinite(v) and v > 0 for v in values)
