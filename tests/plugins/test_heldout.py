"""plugins/heldout.py: the held-out real images any task scores its discriminator on: the run's
real dataset under another scope and seed, checked against the run's shape, or nothing."""

import gin
import numpy as np
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core import data, seeds
from simgan.core.data import DatasetContractError
from simgan.core.engine.task import BuildContext
from simgan.core.evaluation import Domains
from simgan.plugins.heldout import HeldoutReal, METRIC


def context(image_shape=(8, 12, 1), seed=5) -> BuildContext:
    return BuildContext(image_shape=image_shape, global_batch=4, replica_batch=4, seed=seed,
                        precision="float32", jit_compile=False,
                        strategy=tf.distribute.get_strategy(),
                        domains=Domains(synthetic="toy_squares", real="toy_squares"))


def brightness(images):
    """A stand-in 'accuracy' per image, so the logged value can be checked exactly."""
    return tf.reduce_mean(images, axis=[1, 2, 3])


@pytest.fixture(autouse=True)
def real_domain():
    gin.clear_config()
    gin.parse_config("real/toy_squares.domain = 'real'")
    yield
    gin.clear_config()


def test_no_images_selects_and_logs_nothing():
    heldout = HeldoutReal(context(), "real/heldout", 0, "task.heldout_real_scope", brightness)
    assert heldout.images is None and heldout.datasets == {} and heldout.scalars() == {}


def test_the_images_are_the_real_dataset_under_the_scope_with_their_own_seed():
    heldout = HeldoutReal(context(), "real/heldout", 16, "task.heldout_real_scope", brightness)
    assert heldout.datasets == {"heldout_real": ("toy_squares", "real/heldout")}
    expected = data.take("toy_squares", "real/heldout", seeds.stream(5, "heldout_real_data"), 16)
    np.testing.assert_array_equal(heldout.images.numpy(), expected["image"])
    training = data.take("toy_squares", "real", seeds.stream(5, "real_data"), 16)["image"]
    assert not np.array_equal(heldout.images.numpy(), training)
    assert heldout.scalars() == {
        METRIC: pytest.approx(float(np.mean(expected["image"])), abs=1e-6)}


def test_another_shape_is_one_line_naming_the_setting():
    with pytest.raises(DatasetContractError, match=r"^task.heldout_real_scope: Dataset "
                       r"'toy_squares' \(gin scope 'real/heldout'\) yields \[8, 12, 1\] images; "
                       r"the run trains on \[16, 24, 1\]; bind its height/width under that "
                       r"scope$"):
        HeldoutReal(context((16, 24, 1)), "real/heldout", 16, "task.heldout_real_scope",
                    brightness)
