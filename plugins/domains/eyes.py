"""Suite pair ``eye_domains``: the built-in eye simulator's clean renders -> its camera-like
('real_like') renders, at any resolution and real-set size, labelled on both sides (gaze).

The simulator is reached through the dataset registry (``eye_simulator``), so its own gin
bindings (gaze ranges) apply; the arguments given here win over them.
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins.domains import splits

_NAME = "eye_domains"
# Fixed simulator seeds of the real sets, one per split, far from any run seed.
_REAL_SEEDS = {"train": 900_001, "validation": 900_002, "test": 900_003}


def synthetic_eyes(seed: int, split: str, num_examples: int | None, height: int,
                   width: int) -> tf.data.Dataset:
    """Clean simulator eyes of run seed ``seed``'s ``split`` stream (endless when
    ``num_examples`` is None), with 'gaze' and 'pupil_center' labels."""
    return DATASETS.build("eye_simulator", seed=splits.stream(seed, split), domain="synthetic",
                          num_examples=num_examples, height=height, width=width)


@DATASETS.register(_NAME)
def eye_domains(*, seed: int, domain: str = "synthetic", split: str = "train",
                num_examples: int | None = None, height: int = 35,
                width: int = 55) -> tf.data.Dataset:
    """Simulator eyes: 'synthetic' clean renders, 'real' a fixed set of camera-like renders
    split into disjoint train/validation/test sets (plugins/domains/splits.py). Elements:
    'image' float32 [height, width, 1] in [-1, 1], 'gaze' float32 [3] (unit vector),
    'pupil_center' float32 [2] (pixels), on both sides."""
    splits.check(_NAME, domain, split, num_examples, height, width)
    if domain == "synthetic":
        return synthetic_eyes(seed, split, num_examples, height, width)
    count = splits.real_size(_NAME, split, num_examples)
    real = DATASETS.build("eye_simulator", seed=_REAL_SEEDS[split], domain="real_like",
                          num_examples=count, height=height, width=width)
    return splits.finite(real, count)
