"""The baseline the framework is measured against: SimGAN trained the way the popular Keras
implementations do it (e.g. github.com/mjdietzx/SimGAN, github.com/wayaai/SimGAN).

The same registered networks (``resnet`` refiner, ``local`` discriminator) and the same
objective as configs/simgan/eyes_paper.gin (per-patch cross-entropy and L1, both averaged,
lambda = 1, SGD 0.001), but driven from Python one Keras call at a time: a refiner step is
``combined.train_on_batch`` of refiner + frozen discriminator; a discriminator step is
``refiner.predict_on_batch``, a history buffer in NumPy on the host, and two
``discriminator.train_on_batch`` (real, then refined). Batches are NumPy arrays on the host.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from simgan.plugins.simgan.logits import REAL, REFINED
from simgan.core.registries import DISCRIMINATORS, GENERATORS


def local_adversarial_loss(y_true, y_pred):
    """Per-patch softmax cross-entropy, averaged over the patches (the implementations reshape
    to ``(-1, 2)``; Keras then averages over the batch)."""
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred),
                          axis=[1, 2])


def self_regularization_loss(y_true, y_pred):
    """L1 between refined and synthetic images, averaged over the pixels."""
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=[1, 2, 3])


class ImageHistoryBuffer:
    """The implementations' NumPy history buffer: half of each discriminator batch comes from
    it; afterwards half a batch of current refined images is added (at random slots once full)."""

    def __init__(self, shape: tuple[int, ...], capacity: int, batch_size: int, seed: int = 0):
        self.buffer = np.zeros((0, *shape), np.float32)
        self.capacity = capacity
        self.half = batch_size // 2
        self.rng = np.random.default_rng(seed)

    def add(self, images: np.ndarray) -> None:
        images = images[: self.half]
        free = self.capacity - len(self.buffer)
        if free > 0:
            self.buffer = np.concatenate([self.buffer, images[:free]])
            images = images[free:]
        if len(images):
            slots = self.rng.choice(len(self.buffer), len(images), replace=False)
            self.buffer[slots] = images

    def sample(self) -> np.ndarray:
        return self.buffer[self.rng.choice(len(self.buffer), self.half)]

    def sample_and_update(self, refined: np.ndarray) -> np.ndarray:
        if len(self.buffer):
            mixed = np.concatenate([refined[: len(refined) - self.half], self.sample()])
        else:
            mixed = refined
        self.add(refined)
        return mixed


class NaiveSimGAN:
    """Refiner, discriminator and the combined model, compiled as the implementations do."""

    def __init__(self, image_shape: tuple[int, int, int], batch_size: int,
                 learning_rate: float = 0.001, capacity_batches: int = 100, seed: int = 0):
        keras.utils.set_random_seed(seed)
        self.refiner = GENERATORS.build("resnet", input_shape=image_shape)
        self.discriminator = DISCRIMINATORS.build("local", input_shape=image_shape)
        self.refiner.compile(keras.optimizers.SGD(learning_rate), loss=self_regularization_loss)
        self.discriminator.compile(keras.optimizers.SGD(learning_rate), loss=local_adversarial_loss)
        synthetic = keras.Input(image_shape)
        refined = self.refiner(synthetic)
        self.combined = keras.Model(synthetic, [refined, self.discriminator(refined)])
        self.combined.compile(keras.optimizers.SGD(learning_rate),
                              loss=[self_regularization_loss, local_adversarial_loss],
                              loss_weights=[1.0, 1.0])
        patches = tuple(self.discriminator.output_shape[1:3])
        self.real_labels = _onehot(batch_size, patches, REAL)
        self.refined_labels = _onehot(batch_size, patches, REFINED)
        self.buffer = ImageHistoryBuffer(image_shape, capacity_batches * batch_size, batch_size,
                                         seed)
        self._traced = False

    def _trace(self, synthetic: np.ndarray, real: np.ndarray) -> None:
        """Builds each train function once with the right trainable variables: under Keras 3 a
        train function keeps the variables it was traced with, so the discriminator's is traced
        while trainable and the combined model's while the discriminator is frozen (the
        implementations' Keras 2 ``trainable = False`` before compiling the combined model)."""
        self.discriminator.trainable = True
        self.discriminator.train_on_batch(real, self.real_labels)
        self.discriminator.trainable = False
        self.combined.train_on_batch(synthetic, [synthetic, self.real_labels])
        self.discriminator.trainable = True
        self._traced = True

    def refiner_step(self, synthetic: np.ndarray, real: np.ndarray) -> float:
        if not self._traced:
            self._trace(synthetic, real)
        return self.combined.train_on_batch(synthetic, [synthetic, self.real_labels])[0]

    def discriminator_step(self, synthetic: np.ndarray, real: np.ndarray) -> float:
        if not self._traced:
            self._trace(synthetic, real)
        refined = self.refiner.predict_on_batch(synthetic)
        mixed = self.buffer.sample_and_update(refined)
        real_loss = self.discriminator.train_on_batch(real, self.real_labels)
        refined_loss = self.discriminator.train_on_batch(mixed, self.refined_labels)
        return float(np.mean(real_loss) + np.mean(refined_loss))


def _onehot(batch_size: int, patches: tuple[int, int], target: int) -> np.ndarray:
    labels = np.zeros((batch_size, *patches, 2), np.float32)
    labels[..., target] = 1.0
    return labels
