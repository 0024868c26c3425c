"""The paper's refiner and discriminators: shapes, ranges and layer structure."""

import numpy as np
import tensorflow as tf

from simgan.core.registries import DISCRIMINATORS, REFINERS
import simgan.plugins.simgan  # noqa: F401  (registers the components)


def test_resnet_refiner_paper_structure_and_range():
    refiner = REFINERS.build("resnet", input_shape=(35, 55, 1))
    convs = [l for l in refiner.layers if isinstance(l, tf.keras.layers.Conv2D)]
    assert len(convs) == 1 + 2 * 4 + 1  # stem, 4 blocks of two convs, 1x1 output
    assert all(c.filters == 64 and c.kernel_size == (3, 3) for c in convs[:-1])
    assert convs[-1].filters == 1 and convs[-1].kernel_size == (1, 1)
    x = tf.random.uniform([2, 35, 55, 1], -1, 1, seed=1)
    y = refiner(x).numpy()
    assert y.shape == (2, 35, 55, 1) and y.min() >= -1 and y.max() <= 1


def test_refiner_channels_and_depth_follow_config():
    refiner = REFINERS.build("resnet", input_shape=(16, 16, 3), filters=8, num_blocks=2)
    assert refiner(tf.zeros([1, 16, 16, 3])).shape == (1, 16, 16, 3)
    assert sum(isinstance(l, tf.keras.layers.Add) for l in refiner.layers) == 2


def test_local_discriminator_gives_a_patch_map():
    disc = DISCRIMINATORS.build("local", input_shape=(35, 55, 1))
    logits = disc(tf.zeros([3, 35, 55, 1]))
    assert logits.shape == (3, 9, 14, 2)  # a real w x h map, not 1x1
    filters = [l.filters for l in disc.layers if isinstance(l, tf.keras.layers.Conv2D)]
    assert filters == [96, 64, 32, 32, 2]
    valid = DISCRIMINATORS.build("local", input_shape=(35, 55, 1), padding="valid")
    assert valid(tf.zeros([1, 35, 55, 1])).shape == (1, 4, 9, 2)


def test_global_discriminator_gives_one_decision_per_image():
    disc = DISCRIMINATORS.build("global", input_shape=(35, 55, 1))
    assert disc(tf.zeros([3, 35, 55, 1])).shape == (3, 1, 1, 2)


def test_patch_outputs_depend_on_local_content():
    """A change in one corner must leave far-away patches of the local map unchanged."""
    disc = DISCRIMINATORS.build("local", input_shape=(35, 55, 1))
    x = np.zeros([1, 35, 55, 1], np.float32)
    y = x.copy()
    y[0, :4, :4] = 1.0
    a, b = disc(x).numpy(), disc(y).numpy()
    assert not np.allclose(a[0, 0, 0], b[0, 0, 0])
    np.testing.assert_allclose(a[0, -1, -1], b[0, -1, -1])
