"""DiffAugment: each transform does what the paper's does, p = 0 is the identity, the same seed
gives the same augmentation (eagerly, in a tf.function and under XLA), gradients flow, the
strength checkpoints."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.stabilizers.diff_augment import DiffAugment, augment_seed

SEED = tf.constant([3, 4], tf.int64)


def _images(batch=6, height=8, width=8, channels=3):
    return tf.random.stateless_uniform([batch, height, width, channels], [1, 2], -1.0, 1.0)


def test_zero_strength_is_the_identity_and_full_strength_changes_every_image():
    images = _images()
    assert np.array_equal(DiffAugment(strength=0.0)(images, SEED), images)
    augmented = DiffAugment(strength=1.0)(images, SEED).numpy()
    assert augmented.shape == images.shape
    assert all(not np.allclose(a, b) for a, b in zip(augmented, images.numpy()))


def test_same_seed_same_result_other_seed_other_result_in_eager_function_and_xla():
    augment = DiffAugment()
    images = _images()
    eager = augment(images, SEED).numpy()
    assert np.array_equal(augment(images, SEED), eager)
    assert not np.allclose(augment(images, tf.constant([3, 5], tf.int64)), eager)
    compiled = tf.function(augment)(images, SEED).numpy()
    np.testing.assert_allclose(compiled, eager, atol=1e-6)
    xla = tf.function(augment, jit_compile=True)
    first = xla(images, SEED).numpy()
    assert np.array_equal(xla(images, SEED), first)
    np.testing.assert_allclose(first, eager, atol=1e-5)


def test_brightness_adds_one_offset_per_image_in_range():
    images = _images()
    out = DiffAugment(policy=("brightness",))(images, SEED).numpy()
    offsets = (out - images.numpy()).reshape(len(out), -1)
    np.testing.assert_allclose(offsets, offsets[:, :1] * np.ones_like(offsets), atol=1e-6)
    assert np.all(np.abs(offsets[:, 0]) <= 0.5) and np.ptp(offsets[:, 0]) > 0


def test_contrast_keeps_the_mean_and_scales_by_half_to_one_and_a_half():
    images = _images().numpy()
    out = DiffAugment(policy=("contrast",))(images, SEED).numpy()
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), images.mean(axis=(1, 2, 3)), atol=1e-5)
    ratio = out.std(axis=(1, 2, 3)) / images.std(axis=(1, 2, 3))
    assert np.all((ratio >= 0.5 - 1e-5) & (ratio < 1.5 + 1e-5))


def test_saturation_keeps_gray_images():
    gray = _images(channels=1)
    np.testing.assert_allclose(DiffAugment(policy=("saturation",))(gray, SEED), gray,
                               atol=1e-6)


def test_translation_shifts_whole_pixels_with_zero_fill():
    images = _images(batch=16, height=8, width=16, channels=1).numpy()
    out = DiffAugment(policy=("translation",))(images, SEED).numpy()
    shifts = set()
    for before, after in zip(images[..., 0], out[..., 0]):  # up to round(8 / 8) = 1 px, 2 px
        matches = [(dy, dx) for dy in range(-1, 2) for dx in range(-2, 3)
                   if np.allclose(after, _shifted(before, dy, dx))]
        assert len(matches) == 1
        shifts.add(matches[0])
    assert len(shifts) > 3


def _shifted(image, dy, dx):
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def test_cutout_zeros_one_clipped_rectangle_of_half_the_size():
    images = np.ones([32, 8, 10, 2], np.float32)
    out = DiffAugment(policy=("cutout",))(images, SEED).numpy()
    assert set(np.unique(out)) == {0.0, 1.0}
    for image in out[..., 0]:
        rows, cols = np.nonzero(image == 0)
        assert np.all(image[rows.min():rows.max() + 1, cols.min():cols.max() + 1] == 0)
        assert rows.max() - rows.min() < 4 and cols.max() - cols.min() < 5
    assert np.any((out == 0).sum(axis=(1, 2, 3)) == 4 * 5 * 2)  # one not at a border


def _gradient(augment, images):
    images = tf.Variable(images)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(augment(images, SEED))
    return tape.gradient(loss, images).numpy()


def test_gradients_flow_through_every_transform():
    images = _images()
    gradient = _gradient(DiffAugment(), images)
    assert np.isfinite(gradient).all() and np.all(np.abs(gradient).sum(axis=(1, 2, 3)) > 0)
    # Shifts and cutout only: 1 per pixel that reaches the output, 0 for those cut or shifted
    # out.
    geometric = _gradient(DiffAugment(policy=("translation", "cutout")), images)
    assert set(np.unique(geometric)) == {0.0, 1.0}
    assert 0 < (geometric == 0).mean() < 0.6


def test_strength_is_the_fraction_of_images_each_transform_touches():
    images = _images(batch=400, channels=1)
    out = DiffAugment(policy=("brightness",), strength=0.3)(images, SEED).numpy()
    touched = np.any(out != images.numpy(), axis=(1, 2, 3)).mean()
    assert 0.22 < touched < 0.38


def test_strength_is_checkpointed(tmp_path):
    augment = DiffAugment(strength=0.25)
    path = tf.train.Checkpoint(augment=augment).write(str(tmp_path / "ckpt"))
    augment.strength.assign(0.9)
    tf.train.Checkpoint(augment=augment).read(path).assert_consumed()
    assert augment.strength.numpy() == pytest.approx(0.25)


def test_augment_seed_differs_by_step_and_stream():
    seeds = {tuple(augment_seed(0, step, stream).numpy()) for step in (0, 1) for stream in (0, 1)}
    assert len(seeds) == 4
    assert np.array_equal(augment_seed(0, 1, 0), augment_seed(0, tf.constant(1), 0))


@pytest.mark.parametrize("kwargs, field", [
    (dict(policy=("blur",)), "policy"), (dict(policy=()), "policy"),
    (dict(policy=("cutout", "cutout")), "policy"), (dict(translation_ratio=0.0), "translation"),
    (dict(cutout_ratio=1.0), "cutout_ratio"), (dict(strength=1.5), "strength")])
def test_bad_settings_are_one_line_errors(kwargs, field):
    with pytest.raises(ValueError, match=f"DiffAugment.{field}"):
        DiffAugment(**kwargs)
