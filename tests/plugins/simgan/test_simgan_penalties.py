"""The R1 penalty and the least-squares adversarial term against closed forms."""

import numpy as np
import tensorflow as tf

from simgan.plugins.simgan.logits import REAL, REFINED
from simgan.core.losses import DiscriminatorInputs
from simgan.core.registries import LOSSES
import simgan.plugins.simgan  # noqa: F401


def test_r1_is_half_the_squared_input_gradient_of_the_real_log_odds():
    # D(x) logits: real = sum(w * x) per image, refined = 0, one patch; grad_x = w.
    w = tf.constant(np.random.default_rng(0).normal(size=[1, 2, 2, 1]), tf.float32)

    def discriminator(x):
        score = tf.reduce_sum(w * x, axis=[1, 2, 3])[:, None, None, None]
        return tf.concat([score, tf.zeros_like(score)], axis=-1)

    real = tf.ones([3, 2, 2, 1])
    inputs = DiscriminatorInputs(real=real, refined=real, real_logits=None, refined_logits=None,
                                 discriminator=discriminator)
    penalty = LOSSES.build("r1_penalty").discriminator_loss(inputs)
    np.testing.assert_allclose(penalty.numpy(), [0.5 * float(tf.reduce_sum(w * w))] * 3, rtol=1e-5)


def test_least_squares_targets_plus_and_minus_one_log_odds():
    logits = np.zeros([1, 1, 2, 2], np.float32)
    logits[0, 0, 0, REAL] = 1.0  # log-odds 1: perfect for the real target
    logits[0, 0, 1, REFINED] = 1.0  # log-odds -1: perfect for the refined target
    loss = LOSSES.build("least_squares_adversarial")
    np.testing.assert_allclose(loss(tf.constant(logits), True).numpy(), [(0 + 4) / 2])
    np.testing.assert_allclose(loss(tf.constant(logits), False).numpy(), [(4 + 0) / 2])
