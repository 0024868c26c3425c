"""Angular error between gaze vectors and the "% of images within d degrees" curve."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def angular_error_deg(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Angle in degrees between each row of ``predicted`` and ``target`` ([N, 3] each).

    Rows need not be unit length; a zero row has no direction and raises.
    """
    predicted = np.asarray(predicted, np.float64)
    target = np.asarray(target, np.float64)
    if predicted.shape != target.shape or predicted.ndim != 2:
        raise ValueError(f"angular_error_deg: expected two [N, 3] arrays of the same shape; got "
                         f"{predicted.shape} and {target.shape}")
    norms = np.linalg.norm(predicted, axis=1) * np.linalg.norm(target, axis=1)
    if np.any(norms == 0):
        raise ValueError("angular_error_deg: a gaze vector of length 0 has no direction")
    cosine = np.clip(np.sum(predicted * target, axis=1) / norms, -1.0, 1.0)
    return np.degrees(np.arccos(cosine))


def fraction_within(errors_deg: np.ndarray, thresholds_deg: Sequence[float]) -> np.ndarray:
    """For each threshold d, the fraction of ``errors_deg`` that are <= d (the paper's Figure 7)."""
    errors = np.asarray(errors_deg, np.float64).reshape(-1, 1)
    if errors.size == 0:
        raise ValueError("fraction_within: no errors given")
    return np.mean(errors <= np.asarray(thresholds_deg, np.float64).reshape(1, -1), axis=0)
