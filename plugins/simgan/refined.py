"""The `refined` dataset: a registered dataset passed through an exported refiner.

`simgan-refine` writes it to disk; `simgan-train` and the evaluators can also read it directly
(e.g. a second SimGAN stage, or a gaze estimator trained on refined eyes).
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.io import exported


@DATASETS.register("refined")
def refined(*, seed: int, source: str, refiner: str, batch_size: int = 256) -> tf.data.Dataset:
    """Registered dataset ``source`` (built in the current gin scope) with its images replaced by
    the exported refiner's output (file ``refiner``); every other entry is passed through. The
    refiner's noise and style draws are stream ``seed``'s, batch by batch, as `simgan-refine`
    and `simgan.refine` draw them."""
    dataset = DATASETS.build(source, seed=seed)
    data.check_contract(dataset, data.describe(source, detail="refined.source"))
    model = exported.load(refiner)
    exported.seed_draws(model, seed)

    def apply(batch):
        batch = dict(batch)
        batch[data.IMAGE_KEY] = tf.clip_by_value(model(batch[data.IMAGE_KEY]),
                                                 -1.0, 1.0)
        return batch

    refined_set = dataset.batch(batch_size).map(apply).unbatch()
    size = int(dataset.cardinality())  # unbatch forgets it; keep it for the progress line
    if size != int(tf.data.UNKNOWN_CARDINALITY):
        refined_set = refined_set.apply(tf.data.experimental.assert_cardinality(size))
    return refined_set
