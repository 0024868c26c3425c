"""An exponential moving average of a generator's weights, kept as a second Keras model.

GAN generators oscillate around a good solution while the discriminator moves; averaging
their weights over the last steps evaluates near its centre (Karras et al., "Progressive
Growing of GANs", ICLR 2018; Yazıcı et al., "The Unusual Effectiveness of Averaging in GAN
Training", ICLR 2019; the ``G_ema`` of StyleGAN and StudioGAN). The average is a clone of the
model, so a task can preview, evaluate and export it in place of the trained one, and
checkpoint it as it checkpoints any Keras model.
"""

from __future__ import annotations

import keras
import tensorflow as tf


class AveragedModel:
    """``model`` is a clone of ``source`` whose trainable weights follow
    ``decay * average + (1 - decay) * weights`` at each `update`; its other weights (e.g. a
    noise layer's seed state) are its own."""

    def __init__(self, source: keras.Model, decay: float, name: str = "ema_decay"):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"{name}: expected a decay in (0, 1), got {decay!r}")
        self.source, self.decay = source, float(decay)
        self.model = keras.models.clone_model(source)
        self.model.set_weights(source.get_weights())

    def update(self, restart: bool | tf.Tensor = False) -> None:
        """One averaging step after an update of ``source``, in a replica context (a task's
        step); ``restart`` copies the weights instead (e.g. before the averaging starts).
        Every replica holds the same weights after a synchronous update, so each writes its
        own copy of the average with the same value."""
        decay = tf.where(restart, 0.0, self.decay)
        pairs = list(zip(self.model.trainable_variables, self.source.trainable_variables))
        values = [decay * average + (1.0 - decay) * weight for average, weight in pairs]

        def assign(strategy, new_values):
            for (average, _), value in zip(pairs, new_values):
                strategy.extended.update(average.value, lambda v, x: v.assign(x),
                                         args=(value,))

        tf.distribute.get_replica_context().merge_call(assign, args=(values,))
