"""camera.equalize: MPIIGaze-style histogram equalisation by pixel rank."""
import numpy as np
import tensorflow as tf

from simgan.plugins.eyes.camera import equalize


def test_equalize_keeps_each_images_order_and_spreads_it_evenly_over_the_unit_range():
    images = tf.random.stateless_uniform([3, 4, 5], seed=[1, 2]) ** 3  # skewed histograms
    out = equalize(images).numpy()
    assert out.shape == (3, 4, 5)
    for image, equalized in zip(images.numpy(), out):
        np.testing.assert_array_equal(np.argsort(image, None), np.argsort(equalized, None))
        np.testing.assert_allclose(np.sort(equalized, None), np.linspace(0.0, 1.0, 20), atol=1e-6)
