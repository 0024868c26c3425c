"""simgan.load_refiner and simgan.refine on arrays: the seed fixes a refiner's noise and style
draws; without one a loaded refiner draws afresh on every call, as in training."""

import keras
import numpy as np

import simgan
from simgan.core.engine import speed
from simgan.io import exported
from simgan.plugins.simgan import refiner as refiners

SHAPE = (10, 12, 1)


def _export(directory, **channels):
    keras.utils.set_random_seed(0)
    with speed.dtype_policy("mixed_bfloat16"):
        model = refiners.resnet_refiner(input_shape=SHAPE, filters=4, num_blocks=1, **channels)
    return exported.save(model, str(directory))


def _images(count=5):
    return np.random.default_rng(0).uniform(-1, 1, (count, *SHAPE)).astype(np.float32)


def test_the_seed_fixes_the_noise_and_style_draws(tmp_path):
    path = _export(tmp_path, noise_channels=1, style_channels=2)
    images = _images()
    first = simgan.refine(images, refiner=path, seed=3)
    refiner = simgan.load_refiner(path)
    refiner(images)  # earlier draws do not change what a seed draws
    np.testing.assert_array_equal(refiner(images, seed=3), first)
    assert np.abs(simgan.refine(images, refiner=path, seed=4) - first).max() > 0.05
    assert np.abs(refiner(images) - refiner(images)).max() > 0.05  # unseeded: drawn afresh
    # batch k draws batch k of the seed's stream: the first batch alone is the same
    np.testing.assert_array_equal(refiner(images, batch_size=2, seed=3)[:2],
                                  refiner(images[:2], batch_size=2, seed=3))


def test_a_refiner_without_noise_or_style_gives_the_same_images_for_every_seed(tmp_path):
    path = _export(tmp_path)
    images = _images()
    refiner = simgan.load_refiner(path)
    np.testing.assert_array_equal(refiner(images), simgan.refine(images, refiner=path, seed=7))
