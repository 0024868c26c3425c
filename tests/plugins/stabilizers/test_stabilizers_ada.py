"""ADA's controller: r_t from the logits, p moves by sign(r_t - target) * images / speed,
0 -> 1 in exactly `speed_images` images, clipped, and inside a tf.function."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.stabilizers.ada import AdaController, overfitting_signal
from simgan.plugins.stabilizers.diff_augment import DiffAugment


def _logits(batch, real_fraction):
    """[batch, 2, 3] log-odds of "real" calling the first `real_fraction` of the patches real."""
    patches = batch * 6
    called_real = np.arange(patches) < round(real_fraction * patches)
    return tf.constant(np.where(called_real, 2.0, -1.0).reshape(batch, 2, 3), tf.float32)


def test_overfitting_signal_is_the_mean_sign_of_real_minus_refined():
    assert overfitting_signal(_logits(4, 1.0)).numpy() == 1.0
    assert overfitting_signal(_logits(4, 0.0)).numpy() == -1.0
    assert overfitting_signal(_logits(4, 0.75)).numpy() == pytest.approx(0.5)


def test_p_goes_from_zero_to_one_in_speed_images_and_back_and_stays_clipped():
    augment = DiffAugment(strength=0.0)
    controller = AdaController(augment, target=0.6, speed_images=80)
    overfit = _logits(8, 1.0)  # r = 1 > 0.6
    for calls in range(1, 11):
        controller.update(overfit)
        assert augment.strength.numpy() == pytest.approx(min(1.0, calls * 8 / 80))
    controller.update(overfit)
    assert augment.strength.numpy() == 1.0
    controller.update(_logits(8, 0.5))  # r = 0 < 0.6
    assert augment.strength.numpy() == pytest.approx(0.9)
    for _ in range(12):
        controller.update(_logits(8, 0.5))
    assert augment.strength.numpy() == 0.0


def test_at_the_target_p_does_not_move_and_update_runs_in_a_tf_function():
    augment = DiffAugment(strength=0.5)
    controller = AdaController(augment, target=0.5, speed_images=100)
    update = tf.function(controller.update)
    update(_logits(4, 0.75))  # r = 0.5 = target
    assert augment.strength.numpy() == 0.5
    update(_logits(4, 1.0))
    assert augment.strength.numpy() == pytest.approx(0.54)


@pytest.mark.parametrize("kwargs, field", [(dict(target=1.0), "target"),
                                           (dict(speed_images=0), "speed_images")])
def test_bad_settings_are_one_line_errors(kwargs, field):
    with pytest.raises(ValueError, match=f"AdaController.{field}"):
        AdaController(DiffAugment(), **kwargs)
