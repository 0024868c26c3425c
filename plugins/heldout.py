"""The discriminator's accuracy on real images it never trains on, for any task: the overfitting
signal of ADA (Karras et al. 2020, Sec. 2, the validation heuristic r_v). Logged beside the
accuracy on its training batches, a gap that opens as that rises is a discriminator memorising
a small real set, the failure augmentation answers (docs/ROBUSTNESS.md)."""

from __future__ import annotations

from typing import Callable

import tensorflow as tf

from simgan.core import data, seeds
from simgan.core.engine.task import BuildContext

METRIC = "discriminator/accuracy_heldout_real"


class HeldoutReal:
    """``count`` real images (0: none) from the run's real dataset built again under gin scope
    ``scope`` (e.g. 'real/heldout', which inherits the real dataset's bindings) with its own
    seed stream; ``accuracy(images) -> [B]`` is the discriminator's per-image accuracy on real
    images, compiled. Errors name the task's setting ``scope_setting``."""

    def __init__(self, context: BuildContext, scope: str, count: int, scope_setting: str,
                 accuracy: Callable[[tf.Tensor], tf.Tensor]):
        name = context.domains.real
        # What the task builds besides the run's datasets (configs/selection.py checks them).
        self.datasets = {"heldout_real": (name, scope)} if count else {}
        self.images = None
        if count:
            images = data.take(name, scope, seeds.stream(context.seed, "heldout_real_data"),
                               count)[data.IMAGE_KEY]
            if tuple(images.shape[1:]) != context.image_shape:
                raise data.DatasetContractError(
                    f"{scope_setting}: {data.describe(name, scope)} yields "
                    f"{list(images.shape[1:])} images; the run trains on "
                    f"{list(context.image_shape)}; bind its height/width under that scope")
            self.images = tf.constant(images)
        self._accuracy = context.compile(lambda x: tf.reduce_mean(accuracy(x)))

    def scalars(self) -> dict[str, float]:
        """``{METRIC: accuracy}`` now, for a task's ``summary_scalars()``; empty without images."""
        return {} if self.images is None else {METRIC: float(self._accuracy(self.images))}
