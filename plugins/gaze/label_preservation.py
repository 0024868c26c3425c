"""How far refinement moves the labels: a fixed gaze estimator's predictions on x vs R(x), and
the pupil centre found in x vs R(x) where the dataset knows it.

The pupil centre is estimated with no learning: after a 3x3 grey closing (which erases thin dark
structures such as the lid line and lashes), the centroid of the darkest ``dark_fraction`` of each
image's pixels (the pupil is the darkest blob of an eye crop). On the built-in simulator's
synthetic images it is off by about 1.8 px on average (biased upward by the dark upper lid), so
its error against the dataset's ``pupil_center`` on raw images is reported beside the shift.

Keys: ``refined/gaze_shift_deg`` (mean angle between predictions on x and R(x)) and ``..._std``
(over images); ``{synthetic,refined}/gaze_error_deg`` (fixed estimator vs the true gaze on x and
on R(x)); with pupil centres: ``refined/pupil_shift_px`` (+ ``_std``) and
``{synthetic,refined}/pupil_error_px``.
"""

from __future__ import annotations

import keras
import numpy as np
from absl import logging
from scipy import ndimage

from simgan.core import data
from simgan.core.registries import EVALUATORS
from simgan.plugins.gaze import angles, estimator
from simgan.core.evaluation import refine
from simgan.plugins.gaze.evaluator import GAZE_KEY, take_labelled

PUPIL_KEY = "pupil_center"


def dark_blob_centroid(images: np.ndarray, dark_fraction: float = 0.01,
                       closing_size: int = 3) -> np.ndarray:
    """(x, y) pixel centroid [N, 2] of each image's pixels at or below its ``dark_fraction``
    quantile after a ``closing_size`` grey closing (ties all included, so a flat dark disk is
    found whole); images [N, H, W, 1]."""
    images = np.asarray(images, np.float64)
    if closing_size > 1:
        images = ndimage.grey_closing(images, size=(1, closing_size, closing_size, 1))
    flat = images.reshape(len(images), -1)
    threshold = np.quantile(flat, dark_fraction, axis=1, keepdims=True)
    mask = (flat <= threshold).reshape(images.shape[:3])
    ys, xs = np.mgrid[:images.shape[1], :images.shape[2]]
    weight = mask.sum(axis=(1, 2))
    return np.stack([(mask * xs).sum(axis=(1, 2)) / weight,
                     (mask * ys).sum(axis=(1, 2)) / weight], axis=1)


@EVALUATORS.register("label_preservation", denylist=("seed", "output_dir"))
class LabelPreservation:
    """Label drift under refinement: gaze-prediction shift and pupil-centre shift on held-out x."""

    def __init__(self, *, seed: int, output_dir: str, dataset: str = "eye_simulator",
                 scope: str = "gaze_train", train_examples: int = 10000,
                 heldout_examples: int = 1000, dark_fraction: float = 0.01,
                 refine_batch_size: int = 256):
        del output_dir  # all results are scalars
        self._seed = seed
        self._dataset, self._scope = dataset, scope
        self._train_examples, self._heldout_examples = train_examples, heldout_examples
        self._dark_fraction = dark_fraction
        self._refine_batch_size = refine_batch_size
        self._model: keras.Model | None = None
        self._heldout: dict[str, np.ndarray] | None = None

    def _setup(self) -> None:
        """Trains the fixed estimator on raw synthetic images once; draws the held-out set."""
        train = take_labelled(self._dataset, self._scope, self._seed + 303, self._train_examples)
        logging.info("label_preservation: training the fixed estimator on %d synthetic images",
                     self._train_examples)
        self._model = estimator.gaze_estimator(input_shape=train[data.IMAGE_KEY].shape[1:],
                                               seed=self._seed)
        estimator.train_gaze_estimator(self._model, train[data.IMAGE_KEY], train[GAZE_KEY],
                                       seed=self._seed)
        self._heldout = take_labelled(self._dataset, self._scope, self._seed + 404,
                                      self._heldout_examples)

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        """Label drift under ``refiner``; {} when there is no refiner (nothing moves)."""
        del step
        if refiner is None:
            return {}
        if self._model is None:
            self._setup()
        x = self._heldout[data.IMAGE_KEY]
        rx = refine(refiner, x, self._refine_batch_size)
        gaze_x = estimator.predict_gaze(self._model, x)
        gaze_rx = estimator.predict_gaze(self._model, rx)
        shift = angles.angular_error_deg(gaze_x, gaze_rx)
        truth = self._heldout[GAZE_KEY]
        results = {"refined/gaze_shift_deg": float(np.mean(shift)),
                   "refined/gaze_shift_deg_std": float(np.std(shift)),
                   "synthetic/gaze_error_deg":
                       float(np.mean(angles.angular_error_deg(gaze_x, truth))),
                   "refined/gaze_error_deg":
                       float(np.mean(angles.angular_error_deg(gaze_rx, truth)))}
        if PUPIL_KEY in self._heldout:
            centre_x = dark_blob_centroid(x, self._dark_fraction)
            centre_rx = dark_blob_centroid(rx, self._dark_fraction)
            true_centre = self._heldout[PUPIL_KEY]
            moved = np.linalg.norm(centre_rx - centre_x, axis=1)
            results.update({
                "refined/pupil_shift_px": float(np.mean(moved)),
                "refined/pupil_shift_px_std": float(np.std(moved)),
                "synthetic/pupil_error_px":
                    float(np.mean(np.linalg.norm(centre_x - true_centre, axis=1))),
                "refined/pupil_error_px":
                    float(np.mean(np.linalg.norm(centre_rx - true_centre, axis=1)))})
        return results
