"""How far refinement moves the labels: a fixed gaze estimator's predictions on x vs R(x), and
the pupil centre found in x vs R(x) where the dataset knows it.

The pupil centre is estimated with no learning: after a 3x3 grey closing (which erases thin dark
structures such as the lid line and lashes), the centroid of the darkest ``dark_fraction`` of each
image's pixels (the pupil is the darkest blob of an eye crop). On the built-in simulator's
synthetic images it is off by about 1.8 px on average (biased upward by the dark upper lid), so
its error against the dataset's ``pupil_center`` on raw images is reported beside the shift.
It errs more on the darker real-like eyes (about 2.8 px), so a refiner that makes x look like
them moves this detector's answer even where the pupil stays. ``pupil_locators`` can add the
``'learned'`` locator: the gaze estimator's network regressing the pupil centre, trained on
labelled eyes of both domains (the run's synthetic and real datasets, or ``dataset`` under each of
``locator_scopes``), so its answer does not depend on which of the two an eye looks like. Its own
error on held-out raw eyes of both domains is reported, so a reader can see it is the sharper
instrument before trusting it.

Keys: ``refined/gaze_shift_deg`` (mean angle between predictions on x and R(x)) and ``..._std``
(over images); ``{synthetic,refined}/gaze_error_deg`` (fixed estimator vs the true gaze on x and
on R(x)); with pupil centres: ``refined/pupil_shift_px`` (+ ``_std``) and
``{synthetic,refined}/pupil_error_px``, ``real/pupil_error_px`` (the detector on held-out eyes
of the last locator draw, the run's real domain by default, when it has pupil centres); with the
learned locator the same keys with ``learned_pupil`` for ``pupil``.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from absl import logging
from scipy import ndimage

from simgan.core import data, evaluation, seeds
from simgan.core.evaluation import Domains, dataset_for
from simgan.core.registries import EVALUATORS
from simgan.plugins.gaze import angles, estimator
from simgan.plugins.gaze.evaluator import GAZE_KEY, check_labels, take_labelled

PUPIL_KEY = "pupil_center"
PUPIL_LOCATORS = ("dark_blob", "learned")


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


@EVALUATORS.register("label_preservation")
class LabelPreservation:
    """Label drift under refinement: gaze-prediction shift and pupil-centre shift on held-out x.

    x are labelled synthetic images of ``dataset`` under ``scope`` (unset: the run's synthetic
    dataset and scope, ``domains``). The pupil locators are scored on, and the learned one
    trained on, draws of ``dataset`` under each of ``locator_scopes``; unset, the run's
    synthetic then real dataset."""

    def __init__(self, *, seed: int, output_dir: str, domains: Domains | None = None,
                 dataset: str | None = None, scope: str | None = None,
                 train_examples: int = 10000,
                 heldout_examples: int = 1000, dark_fraction: float = 0.01,
                 refine_batch_size: int = 256, pupil_locators: Sequence[str] = ("dark_blob",),
                 locator_scopes: Sequence[str] | None = None,
                 locator_train_examples: int = 5000, locator_steps: int = 1500):
        del output_dir  # all results are scalars
        unknown = sorted(set(pupil_locators) - set(PUPIL_LOCATORS))
        if unknown or (locator_scopes is not None and not locator_scopes):
            raise ValueError(f"label_preservation.pupil_locators: expected some of "
                             f"{PUPIL_LOCATORS} and at least one locator scope; got "
                             f"{tuple(pupil_locators)}, scopes {locator_scopes}")
        self._locators = tuple(pupil_locators)
        self._dataset, self._scope = dataset_for(
            domains, "synthetic", dataset, scope,
            ("label_preservation.dataset", "label_preservation.scope"))
        if locator_scopes is None:
            self._locator_draws = ((self._dataset, self._scope), dataset_for(
                domains, "real", None, None, ("label_preservation.locator_scopes",) * 2))
        else:
            self._locator_draws = tuple((self._dataset, s) for s in locator_scopes)
        self.datasets = {"synthetic": (self._dataset, self._scope),
                         "real": self._locator_draws[-1]}
        logging.info("label_preservation: refines %r (gin scope %r); pupil locators scored on "
                     "%s", self._dataset, self._scope, list(self._locator_draws))
        self._locator_examples, self._locator_steps = locator_train_examples, locator_steps
        self._locator: keras.Model | None = None
        # Per locator, what does not depend on the refiner: its centres on the held-out x and
        # its error on held-out raw eyes of the last locator scope (set by _setup).
        self._raw_centres: dict[str, np.ndarray] = {}
        self._real_errors: dict[str, float] = {}
        self._seed = seed
        self._train_examples, self._heldout_examples = train_examples, heldout_examples
        self._dark_fraction = dark_fraction
        self._refine_batch_size = refine_batch_size
        self._model: keras.Model | None = None
        self._heldout: dict[str, np.ndarray] | None = None
        check_labels(self._dataset, self._scope, seed, GAZE_KEY, "label_preservation.dataset",
                     "the fixed estimator trains on the synthetic images' gaze labels")
        if "learned" in self._locators:
            for name, scope in self._locator_draws:
                check_labels(name, scope, seed, PUPIL_KEY, "label_preservation.pupil_locators",
                             "the 'learned' locator trains on pupil centres: set "
                             "label_preservation.locator_scopes to scopes of a dataset that "
                             "has them, or leave 'learned' out")

    def _setup(self) -> None:
        """Trains the fixed estimator on raw synthetic images once; draws the held-out set."""
        train = take_labelled(self._dataset, self._scope,
                              seeds.stream(self._seed, "label_estimator"), self._train_examples)
        logging.info("label_preservation: training the fixed estimator on %d synthetic images",
                     self._train_examples)
        self._model = estimator.gaze_estimator(input_shape=train[data.IMAGE_KEY].shape[1:],
                                               seed=self._seed)
        estimator.train_gaze_estimator(self._model, train[data.IMAGE_KEY], train[GAZE_KEY],
                                       seed=self._seed)
        self._heldout = take_labelled(self._dataset, self._scope,
                                      seeds.stream(self._seed, "label_heldout"),
                                      self._heldout_examples)
        if PUPIL_KEY not in self._heldout:
            return
        if "learned" in self._locators:
            self._locator = self._train_locator()
        name, scope = self._locator_draws[-1]  # raw eyes of the other domain
        real = data.take(name, scope, seeds.stream(self._seed, "label_real"),
                         self._heldout_examples)
        if PUPIL_KEY not in real:
            logging.info("label_preservation: %r (gin scope %r) has no %r; real/*pupil_error_px "
                         "is not reported", name, scope, PUPIL_KEY)
        for locator in self._locators:
            self._raw_centres[locator] = self._locate(locator, self._heldout[data.IMAGE_KEY])
            if PUPIL_KEY in real:
                self._real_errors[locator] = _mean_distance(
                    self._locate(locator, real[data.IMAGE_KEY]), real[PUPIL_KEY])

    def _train_locator(self) -> keras.Model:
        """The estimator's network regressing the pupil centre (as a fraction of the image size,
        centred), trained on equal draws of every locator draw."""
        draws = [data.take(name, scope, seeds.stream(self._seed, "locator_draws") + i,
                           self._locator_examples,
                           required=(PUPIL_KEY,))
                 for i, (name, scope) in enumerate(self._locator_draws)]
        images = np.concatenate([d[data.IMAGE_KEY] for d in draws])
        centres = np.concatenate([d[PUPIL_KEY] for d in draws])
        logging.info("label_preservation: training the pupil locator on %d eyes", len(images))
        model = estimator.gaze_estimator(input_shape=images.shape[1:], seed=self._seed, outputs=2)
        estimator.train_gaze_estimator(model, images, self._to_unit(centres, images.shape),
                                       seed=self._seed, steps=self._locator_steps)
        return model

    @staticmethod
    def _to_unit(centres: np.ndarray, shape: Sequence[int]) -> np.ndarray:
        return centres / _width_height(shape) - 0.5

    def _locate(self, locator: str, images: np.ndarray) -> np.ndarray:
        """Pupil centres (x, y) in pixels [N, 2] by the named locator."""
        if locator == "dark_blob":
            return dark_blob_centroid(images, self._dark_fraction)
        unit = evaluation.predict(self._locator, images, self._refine_batch_size)
        return (unit.astype(np.float64) + 0.5) * _width_height(images.shape)

    def evaluate(self, refiner: keras.Model | None, step: int) -> dict[str, float]:
        """Label drift under ``refiner``; {} when there is no refiner (nothing moves)."""
        del step
        if refiner is None:
            return {}
        if self._model is None:
            self._setup()
        x = self._heldout[data.IMAGE_KEY]
        rx = evaluation.refine(refiner, x, self._refine_batch_size)
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
            for locator in self._locators:
                results.update(self._pupil_figures(locator, rx))
        return results

    def _pupil_figures(self, locator: str, rx: np.ndarray) -> dict[str, float]:
        """Pupil shift between x and R(x) by ``locator``, and its errors against the truth."""
        name = "pupil" if locator == "dark_blob" else f"{locator}_pupil"
        centre_x, centre_rx = self._raw_centres[locator], self._locate(locator, rx)
        truth = self._heldout[PUPIL_KEY]
        moved = np.linalg.norm(centre_rx - centre_x, axis=1)
        return {f"refined/{name}_shift_px": float(np.mean(moved)),
                f"refined/{name}_shift_px_std": float(np.std(moved)),
                f"synthetic/{name}_error_px": _mean_distance(centre_x, truth),
                f"refined/{name}_error_px": _mean_distance(centre_rx, truth),
                **({f"real/{name}_error_px": self._real_errors[locator]}
                   if locator in self._real_errors else {})}


def _width_height(shape: Sequence[int]) -> np.ndarray:
    """(W, H) of images shaped [N, H, W, C]: the scale between pixel and unit positions."""
    return np.array([shape[2], shape[1]])


def _mean_distance(centres: np.ndarray, truth: np.ndarray) -> float:
    """Mean Euclidean distance in pixels between two [N, 2] sets of points."""
    return float(np.mean(np.linalg.norm(centres - truth, axis=1)))
