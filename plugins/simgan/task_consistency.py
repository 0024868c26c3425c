"""`task_consistency`: a refiner term holding a frozen task model's prediction on R(x) to x's
label, so refinement keeps what the simulator's labels say (the label-preservation idea of
PixelDA's task loss, Bousmalis et al. 2017, and CyCADA's semantic consistency, Hoffman et al.
2018, with the task model frozen as in CyCADA)."""

from __future__ import annotations

import keras
import tensorflow as tf

from simgan.core.losses import LossTerm, RefinerInputs
from simgan.core.registries import LOSSES

DISTANCES = ("l2", "cosine")


class TaskConsistency(LossTerm):
    """Per example: distance between ``model(R(x))`` and ``x``'s label ``label``."""

    def __init__(self, model: keras.Model, label: str, distance: str, weight: float):
        super().__init__(weight)
        self.model, self.label, self.distance = model, label, distance
        self.model.trainable = False

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        if self.label not in inputs.labels:
            raise ValueError(f"task_consistency.label: the synthetic batch has no {self.label!r} "
                             f"entry; it holds {sorted(inputs.labels)}")
        predicted = tf.cast(self.model(inputs.refined, training=False), tf.float32)
        target = tf.reshape(tf.cast(inputs.labels[self.label], tf.float32), tf.shape(predicted))
        if self.distance == "cosine":
            return 1.0 - tf.reduce_sum(tf.math.l2_normalize(predicted, -1)
                                       * tf.math.l2_normalize(target, -1), axis=-1)
        return tf.reduce_sum(tf.square(predicted - target), axis=-1)


@LOSSES.register("task_consistency")
def task_consistency(*, model_path: str, label: str = "gaze", distance: str = "l2",
                     weight: float = 1.0) -> TaskConsistency:
    """A frozen task model (a .keras file, e.g. a gaze estimator trained on synthetic eyes)
    applied to the refined images, its prediction held to the synthetic label ``label`` by
    ``distance`` ('l2', or 'cosine' for directions such as gaze)."""
    if distance not in DISTANCES:
        raise ValueError(f"task_consistency.distance: expected one of {DISTANCES}, got "
                         f"{distance!r}")
    if not tf.io.gfile.exists(model_path):
        raise FileNotFoundError(f"task_consistency.model_path: {model_path!r}: no such file "
                                "(expected a .keras task model)")
    return TaskConsistency(keras.saving.load_model(model_path, compile=False), label, distance,
                           weight)
