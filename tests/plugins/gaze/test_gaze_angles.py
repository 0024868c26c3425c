"""Angular error and the within-d curve on hand-computed cases."""

import numpy as np
import pytest

from simgan.plugins.gaze import angles


def test_angular_error_known_angles():
    forward = np.array([[0.0, 0.0, -1.0]] * 3)
    other = np.array([[0.0, 0.0, -2.0], [1.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(angles.angular_error_deg(other, forward), [0.0, 45.0, 90.0],
                               atol=1e-6)


def test_angular_error_rejects_bad_shapes_and_zero_vectors():
    with pytest.raises(ValueError, match="same shape"):
        angles.angular_error_deg(np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="length 0"):
        angles.angular_error_deg(np.zeros((1, 3)), np.ones((1, 3)))


def test_fraction_within_counts_inclusive_thresholds():
    curve = angles.fraction_within(np.array([0.5, 3.0, 7.0, 12.0]), [0, 3, 7, 20])
    np.testing.assert_allclose(curve, [0.0, 0.5, 0.75, 1.0])
