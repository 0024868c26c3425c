"""The procedural eye simulator: contract, determinism, gaze geometry, domain gap, realism."""

import math
import os

import gin
import numpy as np
import pytest
import tensorflow as tf

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.eyes import render
from simgan.plugins.eyes.angles import angles_from_gaze, gaze_from_angles
from simgan.plugins.gaze.angles import angular_error_deg
from simgan.plugins.eyes.simulator import DOMAINS, eye_simulator
from simgan.tools import simulator_figure

REAL = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data",
                    "mpiigaze_real", "unlabeled_train.npz")


def _take(num, **kwargs):
    dataset = eye_simulator(num_examples=num, **kwargs)
    return {k: v.numpy() for k, v in next(iter(dataset.batch(num))).items()}


def _render(yaw_degrees, pitch_degrees):
    geometry = render.fixed_geometry(math.radians(yaw_degrees), math.radians(pitch_degrees),
                                     light_x=0.5, light_y=-0.5)  # glint off the pupil centre
    return render.render(geometry, 35, 55).numpy(), render.pupil_center(geometry, 35, 55).numpy()


@pytest.mark.parametrize("domain", DOMAINS)
def test_elements_follow_the_contract(domain):
    dataset = eye_simulator(seed=0, domain=domain, num_examples=5)
    assert dataset.cardinality().numpy() == 5
    assert eye_simulator(seed=0, domain=domain).cardinality() == tf.data.INFINITE_CARDINALITY
    spec = dataset.element_spec
    assert spec["image"].shape == (35, 55, 1) and spec["image"].dtype == tf.float32
    assert spec["gaze"].shape == (3,) and spec["pupil_center"].shape == (2,)
    batch = _take(5, seed=0, domain=domain)
    assert batch["image"].min() >= -1.0 and batch["image"].max() <= 1.0
    assert batch["image"].std() > 0.2
    np.testing.assert_allclose(np.linalg.norm(batch["gaze"], axis=1), 1.0, atol=1e-5)
    assert np.all(batch["gaze"][:, 2] < 0)  # eyes look toward the camera
    assert np.all((batch["pupil_center"] > 0) & (batch["pupil_center"] < [55, 35]))


def test_same_seed_same_images_other_seed_other_images():
    first, again = _take(6, seed=7, domain="real_like"), _take(6, seed=7, domain="real_like")
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
    other = _take(6, seed=8, domain="real_like")
    assert np.abs(first["image"] - other["image"]).mean() > 0.05
    assert not np.allclose(first["gaze"], other["gaze"])


def test_domains_share_labels_and_differ_in_look():
    synthetic = _take(6, seed=3, domain="synthetic")
    real_like = _take(6, seed=3, domain="real_like")
    np.testing.assert_array_equal(synthetic["gaze"], real_like["gaze"])
    np.testing.assert_array_equal(synthetic["pupil_center"], real_like["pupil_center"])
    assert np.abs(synthetic["image"] - real_like["image"]).mean() > 0.1


@pytest.mark.parametrize("domain, atol", [("synthetic", 1e-5), ("real_like", 2.0 / 255)])
def test_render_batching_changes_images_by_rounding_only(domain, atol):
    # atol: float rounding of the clean render; one grey level (8-bit) of the real-like camera.
    one = _take(5, seed=2, domain=domain, render_batch_size=1)
    many = _take(5, seed=2, domain=domain, render_batch_size=4)
    np.testing.assert_allclose(one["image"], many["image"], atol=atol)
    np.testing.assert_array_equal(one["gaze"], many["gaze"])
    np.testing.assert_array_equal(one["pupil_center"], many["pupil_center"])


def test_iterator_resumes_from_a_checkpoint(tmp_path):
    iterator = iter(eye_simulator(seed=1, domain="real_like"))
    next(iterator)
    checkpoint = tf.train.Checkpoint(iterator=iterator)
    path = checkpoint.save(str(tmp_path / "ckpt"))
    expected = next(iterator)["image"].numpy()
    restored = iter(eye_simulator(seed=1, domain="real_like"))
    tf.train.Checkpoint(iterator=restored).restore(path)
    np.testing.assert_array_equal(next(restored)["image"].numpy(), expected)


def test_angle_conversions_follow_the_project_convention():
    np.testing.assert_allclose(gaze_from_angles(0.0, 0.0).numpy(), [0, 0, -1], atol=1e-7)
    right_up = gaze_from_angles(0.3, 0.2).numpy()
    assert right_up[0] > 0 and right_up[1] < 0
    yaw, pitch = angles_from_gaze(right_up)
    np.testing.assert_allclose([yaw.numpy(), pitch.numpy()], [0.3, 0.2], atol=1e-6)
    assert angular_error_deg([[0, 0, -1]], [[0, -1, 0]])[0] == pytest.approx(90.0)


def test_looking_right_moves_the_pupil_right_in_the_image():
    left, left_center = _render(-25, 0)
    right, right_center = _render(25, 0)
    assert right_center[0] - left_center[0] > 10
    darker = np.clip(left - right, 0, None)  # where the 'right' eye is darker: its iris
    brighter = np.clip(right - left, 0, None)
    columns = np.arange(55)
    darker_x = darker.sum(0) @ columns / darker.sum()
    assert darker_x > brighter.sum(0) @ columns / brighter.sum() + 5


def test_looking_up_moves_the_pupil_up_and_raises_the_upper_lid():
    down, down_center = _render(0, -20)
    up, up_center = _render(0, 15)
    assert down_center[1] - up_center[1] > 5
    rows = np.arange(35)
    darker_when_up = np.clip(down - up, 0, None)
    brighter_when_up = np.clip(up - down, 0, None)
    assert (darker_when_up.sum(1) @ rows / darker_when_up.sum()
            < brighter_when_up.sum(1) @ rows / brighter_when_up.sum())
    x = tf.constant([[27.0]])
    upper = {p: render.lid_curves(render.fixed_geometry(0.0, math.radians(p)), x, 35, 55)[0]
             for p in (-20, 0, 15)}
    upper = {p: row.numpy().item() for p, row in upper.items()}
    assert upper[15] < upper[0] - 2 and upper[0] < upper[-20] - 4


def test_pupil_center_marks_the_pupil_and_follows_gaze():
    image, center = _render(10, 5)
    assert image[int(round(center[1])), int(round(center[0]))] < 0.1  # the pupil is dark
    batch = _take(64, seed=4, domain="synthetic")
    assert np.corrcoef(batch["gaze"][:, 0], batch["pupil_center"][:, 0])[0, 1] > 0.8
    assert np.corrcoef(batch["gaze"][:, 1], batch["pupil_center"][:, 1])[0, 1] > 0.8


def test_bad_domain_names_the_field_and_the_choices():
    with pytest.raises(ValueError, match=r"domain must be one of 'synthetic', 'real_like'; got 'r"):
        eye_simulator(seed=0, domain="real")


def test_nuisance_ranges_narrow_what_is_drawn_and_leave_the_rest_alone():
    default = _take(8, seed=4, domain="synthetic")
    np.testing.assert_array_equal(
        _take(8, seed=4, domain="synthetic", nuisance_ranges={})["image"], default["image"])
    centred = _take(8, seed=4, domain="synthetic", yaw_range=(0, 0), pitch_range=(0, 0),
                    nuisance_ranges={"center_dx": (3, 3), "center_dy": (-1, -1)})
    np.testing.assert_allclose(centred["pupil_center"], np.tile([27 + 3, 17 - 1], (8, 1)),
                               atol=1e-4)  # the pupil sits at the shifted eye centre
    bright = _take(8, seed=4, domain="synthetic", nuisance_ranges={"skin_tone": (0.9, 0.9)})
    np.testing.assert_array_equal(bright["gaze"], default["gaze"])  # same draws, other skin
    assert bright["image"][:, :3].mean() > default["image"][:, :3].mean() + 0.2


@pytest.mark.parametrize("ranges, message", [
    ({"eyelid": (0.3, 0.4)}, r"nuisance_ranges: unknown parameter 'eyelid'; known: center_dx, "),
    ({"iris_ratio": (0.5, 1.2)}, r"nuisance_ranges\['iris_ratio'\] must be \(min, max\) "
                                 r"with 0.2 <= min <= max <= 0.9; got \(0.5, 1.2\)"),
    ({"skin_tone": (0.7, 0.5)}, r"nuisance_ranges\['skin_tone'\] must be"),
    ({"skin_tone": 0.5}, r"nuisance_ranges\['skin_tone'\] must be \(min, max\)"),
])
def test_bad_nuisance_ranges_name_the_parameter_and_the_limits(ranges, message):
    with pytest.raises(ValueError, match="eye_simulator: " + message):
        eye_simulator(seed=0, nuisance_ranges=ranges)


def test_nuisance_ranges_bind_from_gin():
    with gin.unlock_config():
        gin.parse_config("eye_simulator.nuisance_ranges = {'upper_lid': (0.3, 0.3)}\n"
                         "eye_simulator.num_examples = 2")
    try:
        bound = next(iter(data.build("eye_simulator", "synthetic", seed=5)))["image"].numpy()
    finally:
        gin.clear_config()
    expected = next(iter(eye_simulator(seed=5, nuisance_ranges={"upper_lid": (0.3, 0.3)})))
    np.testing.assert_array_equal(bound, expected["image"].numpy())


def test_registered_and_configurable_per_scope():
    assert "eye_simulator" in DATASETS
    with gin.unlock_config():
        gin.parse_config("real/eye_simulator.domain = 'real_like'\n"
                         "eye_simulator.num_examples = 2")
    try:
        real = next(iter(data.build("eye_simulator", "real", seed=5)))["image"].numpy()
        synthetic = next(iter(data.build("eye_simulator", "synthetic", seed=5)))["image"].numpy()
    finally:
        gin.clear_config()
    expected = next(iter(eye_simulator(seed=5, domain="real_like")))["image"].numpy()
    np.testing.assert_array_equal(real, expected)
    assert np.abs(real - synthetic).mean() > 0.1


def test_gaze_regressor_trained_on_synthetic_does_worse_on_real_like():
    errors = simulator_figure.domain_gap(num_train=800, num_test=300, seed=0)
    in_domain = errors["real_like", "real_like"]
    across = errors["synthetic", "real_like"]
    assert errors["synthetic", "synthetic"] < 15  # the regressor does learn gaze
    assert in_domain < 15
    assert across > 2 * in_domain and across > in_domain + 10


@pytest.mark.skipif(not os.path.isfile(REAL), reason=f"real MPIIGaze crops absent: {REAL}")
def test_real_like_is_closer_to_mpiigaze_than_synthetic():
    real = simulator_figure.load_real(REAL)[:600]
    distances = {d: simulator_figure.realism_distances(simulator_figure.render(d, 0, 600)[0], real)
                 for d in DOMAINS}
    for measure in ("intensity_tv", "gradient_tv", "spectrum_log_rmse"):
        assert distances["real_like"][measure] < distances["synthetic"][measure], measure
    assert distances["real_like"]["classifier_accuracy"] <= distances["synthetic"][
        "classifier_accuracy"]
