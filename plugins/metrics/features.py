"""The feature spaces the distribution metrics compare images in, chosen by an evaluator's
``features`` argument: ``'inception'`` (InceptionV3's pool features, as FID and KID are
published), ``'classifier'`` (a domain classifier trained here) or ``'pixels'``.

Each is built with no argument (its settings are gin bindings shared by every evaluator, e.g.
``inception_features.weights``), says how many raw images of each domain it trains on
(``train_examples``), and ``fit`` returns the embedding: images ``[N, H, W, C]`` in [-1, 1]
-> float64 ``[N, D]``.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Callable

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core import evaluation, registry
from simgan.plugins.metrics import classifier

Embedding = Callable[[np.ndarray], np.ndarray]

INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_WEIGHTS_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                         f"inception_v3/{INCEPTION_WEIGHTS_FILE}")
INCEPTION_WEIGHTS_MD5 = "bcbd6486424b2319ff4ef7d526e38f63"  # keras.applications' own check
INCEPTION_MIN_SIZE = 75  # the smallest input InceptionV3 without its top accepts


def _md5(path: str) -> str:
    digest = hashlib.md5()
    with tf.io.gfile.GFile(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _inception(weights: str, image_size: int) -> keras.Model:
    """InceptionV3 on ``image_size`` squared RGB inputs with the weights file loaded, once per
    process: every evaluator on Inception features shares it (building and loading take
    seconds)."""
    try:
        return keras.applications.InceptionV3(weights=weights, include_top=False, pooling="avg",
                                              input_shape=(image_size, image_size, 3))
    except ValueError as e:
        raise ValueError(f"inception_features.weights: {weights}: not InceptionV3 weights "
                         f"without the top ({str(e).splitlines()[0]})") from e


@registry.configurable("inception_features", module="metrics")
class InceptionFeatures:
    """InceptionV3's 2048-d average-pool features (Szegedy et al. 2016), those FID (Heusel et
    al. 2017) and KID (Binkowski et al. 2018) are defined on, with weights read from a local
    file: Keras's ImageNet weights without the top, ``weights`` =
    ``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`` (docs/EVALUATION.md).
    Images are resized (bilinear) to ``image_size`` squared, at least 75, and gray ones tiled
    to 3 channels; [-1, 1] is already InceptionV3's input range."""

    train_examples = 0

    def __init__(self, weights: str | None = None, image_size: int = 299, batch_size: int = 50):
        if weights is None:
            raise ValueError(
                "inception_features.weights: not bound; features='inception' reads InceptionV3's "
                f"ImageNet weights from a local file ({INCEPTION_WEIGHTS_FILE}, from "
                f"{INCEPTION_WEIGHTS_URL}; docs/EVALUATION.md), or choose features='classifier'")
        if not tf.io.gfile.exists(weights):
            raise FileNotFoundError(f"inception_features.weights: {weights}: no such file; "
                                    f"expected {INCEPTION_WEIGHTS_FILE} (docs/EVALUATION.md)")
        if image_size < INCEPTION_MIN_SIZE:
            raise ValueError(f"inception_features.image_size: expected >= {INCEPTION_MIN_SIZE} "
                             f"(InceptionV3's smallest input); got {image_size}")
        if _md5(weights) != INCEPTION_WEIGHTS_MD5:
            logging.warning("inception_features.weights: %s is not Keras's published %s (md5 "
                            "differs): features, FID and KID are not comparable with values "
                            "computed on the published weights", weights, INCEPTION_WEIGHTS_FILE)
        self.weights, self.image_size, self.batch_size = weights, image_size, batch_size

    def network(self, input_shape: tuple[int, ...]) -> keras.Model:
        """``[B, H, W, 1|3]`` in [-1, 1] -> ``[B, 2048]``: resizing, gray to RGB, InceptionV3."""
        if input_shape[-1] not in (1, 3):
            raise ValueError(f"inception features: images need 1 or 3 channels; got shape "
                             f"{tuple(input_shape)}")
        size = self.image_size
        inputs = keras.Input(tuple(input_shape))
        x = keras.layers.Resizing(size, size, interpolation="bilinear")(inputs)
        if input_shape[-1] == 1:
            x = keras.layers.Concatenate()([x, x, x])
        return keras.Model(inputs, _inception(self.weights, size)(x), name="inception_features")

    def fit(self, real: np.ndarray, synthetic: np.ndarray, seed: int) -> Embedding:
        del synthetic, seed  # nothing is trained
        model = self.network(real.shape[1:])
        return lambda images: evaluation.predict(model, images, self.batch_size).astype(np.float64)


@registry.configurable("classifier_features", module="metrics")
class ClassifierFeatures:
    """The ``features`` layer of a domain classifier (plugins/metrics/classifier.py) trained,
    seeded, on ``train_examples`` raw synthetic vs real images, a split disjoint from the one
    scored: features fitted to this data, comparable only between runs with the same
    classifier settings and seed, not with published numbers."""

    def __init__(self, train_examples: int = 2000):
        self.train_examples = train_examples

    def fit(self, real: np.ndarray, synthetic: np.ndarray, seed: int) -> Embedding:
        logging.info("classifier features: training on %d + %d images", len(real), len(synthetic))
        model = classifier.domain_classifier(input_shape=real.shape[1:], seed=seed)
        classifier.train_domain_classifier(model, real, synthetic, seed=seed)
        features = classifier.feature_extractor(model)
        return lambda images: evaluation.predict(features, images, 512).astype(np.float64)


class PixelFeatures:
    """The images' pixels, flattened: nearest neighbours in pixel space, the classic check for
    copied training images; no learned notion of similarity."""

    train_examples = 0

    def fit(self, real: np.ndarray, synthetic: np.ndarray, seed: int) -> Embedding:
        del real, synthetic, seed
        return lambda images: np.asarray(images, np.float64).reshape(len(images), -1)


FEATURES = {"inception": InceptionFeatures, "classifier": ClassifierFeatures,
            "pixels": PixelFeatures}


def build(name: str, evaluator: str) -> InceptionFeatures | ClassifierFeatures | PixelFeatures:
    """The feature space ``name``, with its gin bindings; ``evaluator`` names the binding in
    the error an unknown name raises."""
    if name not in FEATURES:
        raise ValueError(f"{evaluator}.features: expected one of {', '.join(map(repr, FEATURES))}"
                         f"; got {name!r}")
    return FEATURES[name]()
