"""plugins/simgan/averaging.py: the average follows decay * average + (1 - decay) * weights,
a restart copies, and a decay outside (0, 1) is one line naming the setting."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.simgan.averaging import AveragedModel


def model():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4, 4, 1))
    return keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(inputs))


def shift(m, by):
    for v in m.trainable_variables:
        v.assign(v + by)


def test_each_update_moves_the_average_by_one_minus_decay():
    source = model()
    average = AveragedModel(source, 0.9)
    start = [v.numpy() for v in source.trainable_variables]
    for a, w in zip(average.model.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, w)
    update = tf.function(average.update)
    shift(source, 1.0)
    update()
    shift(source, 1.0)
    update()
    # 0.9 * (0.9 * w + 0.1 (w + 1)) + 0.1 (w + 2) = w + 0.09 + 0.2
    for a, w in zip(average.model.trainable_variables, start):
        np.testing.assert_allclose(a.numpy(), w + 0.29, rtol=1e-6, atol=1e-6)
    assert not np.allclose(average.model.trainable_variables[0].numpy(),
                           source.trainable_variables[0].numpy())


def test_a_restart_copies_the_weights_and_the_clone_computes_like_the_source():
    source = model()
    average = AveragedModel(source, 0.99)
    shift(source, 0.5)
    tf.function(average.update)(tf.constant(True))
    x = tf.random.stateless_normal([2, 4, 4, 1], seed=[0, 1])
    np.testing.assert_allclose(average.model(x).numpy(), source(x).numpy(), rtol=1e-6)
    assert average.model is not source


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5])
def test_a_decay_outside_the_open_unit_interval_is_refused(decay):
    with pytest.raises(ValueError, match=r"simgan.refiner_ema_decay: expected a decay in "
                                         r"\(0, 1\), got"):
        AveragedModel(model(), decay, "simgan.refiner_ema_decay")
