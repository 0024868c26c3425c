"""Label preservation: zero drift for the identity, the right pupil shift for a known shift."""

import dataclasses

import gin
import numpy as np
import pytest
import tensorflow as tf

import toy_gaze_data
from simgan.core.registries import EVALUATORS
from simgan.plugins.eyes import arrays  # noqa: F401  (registers 'image_array')
from simgan.plugins.gaze import label_preservation


def test_dark_blob_centroid_finds_a_flat_disk():
    images = np.ones((1, 20, 24, 1))
    yy, xx = np.mgrid[:20, :24]
    images[0, (xx - 15) ** 2 + (yy - 6) ** 2 < 9, 0] = -1
    images[0, 15, 2:22, 0] = -1  # a thin dark line (a lid crease): erased by the closing
    np.testing.assert_allclose(label_preservation.dark_blob_centroid(images, 0.05), [[15, 6]])
    unclosed = label_preservation.dark_blob_centroid(images, 0.05, closing_size=1)
    assert unclosed[0, 1] > 9  # pulled toward the line


def test_identity_preserves_labels_and_a_shift_moves_them(tmp_path):
    toy_gaze_data.bind_tiny_estimator()
    evaluator = EVALUATORS.build("label_preservation", seed=0, output_dir=str(tmp_path),
                                 domains=toy_gaze_data.DOMAINS, train_examples=256,
                                 heldout_examples=100, dark_fraction=0.05)
    same = evaluator.evaluate(toy_gaze_data.identity_refiner(), step=0)
    assert same["refined/gaze_shift_deg"] == pytest.approx(0.0, abs=1e-4)
    assert same["refined/pupil_shift_px"] == pytest.approx(0.0, abs=1e-6)
    assert same["synthetic/pupil_error_px"] < 0.5
    assert same["synthetic/gaze_error_deg"] < 12.0

    shifted = evaluator.evaluate(
        toy_gaze_data.function_refiner(lambda x: tf.roll(x, 3, axis=2)), step=1)
    assert shifted["refined/pupil_shift_px"] == pytest.approx(3.0, abs=0.1)
    assert shifted["refined/gaze_shift_deg"] > 3.0
    assert shifted["synthetic/gaze_error_deg"] == same["synthetic/gaze_error_deg"]


def test_learned_locator_is_trained_on_both_scopes_and_follows_a_shift(tmp_path):
    toy_gaze_data.bind_tiny_estimator()
    evaluator = EVALUATORS.build(
        "label_preservation", seed=0, output_dir=str(tmp_path), domains=toy_gaze_data.DOMAINS,
        train_examples=128, heldout_examples=100, dark_fraction=0.05,
        pupil_locators=("dark_blob", "learned"), locator_train_examples=200, locator_steps=400)
    same = evaluator.evaluate(toy_gaze_data.identity_refiner(), step=0)
    assert same["refined/learned_pupil_shift_px"] == pytest.approx(0.0, abs=1e-6)
    assert same["synthetic/learned_pupil_error_px"] < 1.5
    assert same["real/learned_pupil_error_px"] < 1.5 and "real/pupil_error_px" in same
    shifted = evaluator.evaluate(
        toy_gaze_data.function_refiner(lambda x: tf.roll(x, 3, axis=2)), step=1)
    assert shifted["refined/learned_pupil_shift_px"] == pytest.approx(3.0, abs=1.0)
    assert shifted["refined/pupil_shift_px"] == pytest.approx(3.0, abs=0.1)


def test_unknown_pupil_locator_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="label_preservation.pupil_locators"):
        EVALUATORS.build("label_preservation", seed=0, output_dir=str(tmp_path),
                         domains=toy_gaze_data.DOMAINS, pupil_locators=("sharpest",))


def test_learned_locator_on_a_domain_without_pupil_centres_fails_when_built(tmp_path):
    # Real camera crops have no pupil centres: the learned locator cannot train on them, which
    # must fail before a run trains (it once failed after 23 minutes of CUT).
    np.savez(tmp_path / "crops.npz", images=np.zeros((4, 20, 24, 1), np.uint8))
    gin.bind_parameter("real/image_array.path", str(tmp_path / "crops.npz"))
    gin.bind_parameter("real/image_array.height", 20)
    gin.bind_parameter("real/image_array.width", 24)
    domains = dataclasses.replace(toy_gaze_data.DOMAINS, real="image_array")
    build = lambda **kw: EVALUATORS.build("label_preservation", seed=0, output_dir=str(tmp_path),
                                          domains=domains, **kw)
    with pytest.raises(ValueError, match=r"label_preservation.pupil_locators: Dataset "
                                         r"'image_array' \(gin scope 'real'\) has no "
                                         r"'pupil_center'.*'learned' locator.*locator_scopes"):
        build(pupil_locators=("dark_blob", "learned"))
    build(pupil_locators=("dark_blob",))  # the detector needs no centres to train on
    build(pupil_locators=("dark_blob", "learned"), locator_scopes=("synthetic", "real_like"))


def test_synthetic_images_without_gaze_labels_fail_when_built(tmp_path):
    import toy_data  # noqa: F401  (toy_squares has no gaze label)
    with pytest.raises(ValueError, match=r"^label_preservation.dataset: Dataset 'toy_squares' "
                                         r"\(gin scope 'synthetic'\) has no 'gaze' entry"):
        EVALUATORS.build("label_preservation", seed=0, output_dir=str(tmp_path),
                         domains=toy_gaze_data.DOMAINS, dataset="toy_squares")
