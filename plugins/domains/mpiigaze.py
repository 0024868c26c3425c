"""Suite pair ``mpiigaze_domains``: the simulator's clean eyes -> real MPIIGaze eye crops
(Zhang, Sugano, Fritz, Bulling, "Appearance-Based Gaze Estimation in the Wild", CVPR 2015;
CC BY-NC-SA 4.0, non-commercial; read from where they lie, never copied). Realism only: the
real crops carry no labels.

Real splits: 'train' is the first ``num_examples`` of the first N - ``validation_examples``
crops of ``path`` (unlabeled_train.npz), 'validation' its last ``validation_examples``,
'test' the crops of ``heldout_path`` (unlabeled_heldout.npz, reserved for final figures).
The crops are read by the registered ``image_array`` dataset, centre-cropped (``fit='crop'``:
36x60 -> 35x55 without interpolation) or rescaled (``fit='resize'``).
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins.domains import splits
from simgan.plugins.domains.eyes import synthetic_eyes

_NAME = "mpiigaze_domains"


@DATASETS.register(_NAME)
def mpiigaze_domains(*, seed: int, domain: str = "synthetic", split: str = "train",
                     num_examples: int | None = None, height: int = 35, width: int = 55,
                     path: str | None = None, heldout_path: str | None = None,
                     validation_examples: int = 300, fit: str = "crop") -> tf.data.Dataset:
    """Simulator eyes ('synthetic', with 'gaze' and 'pupil_center') or real MPIIGaze crops
    ('real', 'image' only) of one split; ``path`` and ``heldout_path`` are .npz files of uint8
    crops under key 'images'."""
    splits.check(_NAME, domain, split, num_examples, height, width)
    if domain == "synthetic":
        return synthetic_eyes(seed, split, num_examples, height, width)
    source = heldout_path if split == "test" else path
    field = "heldout_path" if split == "test" else "path"
    if source is None or not tf.io.gfile.exists(source):
        found = "none is set" if source is None else f"{source!r} does not exist"
        raise ValueError(f"{_NAME}.{field}: expected the .npz file of the real {split!r} "
                         f"crops; {found}")
    crops = DATASETS.build("image_array", seed=seed, path=source, key="images", height=height,
                           width=width, fit=fit, shuffle=False)
    total = int(crops.cardinality())
    if split == "test":
        capacity = total
    else:
        if not 0 < validation_examples < total:
            raise ValueError(f"{_NAME}.validation_examples: expected between 1 and "
                             f"{total - 1} (the crops in {source}); got {validation_examples}")
        capacity = validation_examples if split == "validation" else total - validation_examples
        if split == "validation":
            crops = crops.skip(total - validation_examples)
    count = splits.real_size(_NAME, split, num_examples, capacity)
    return splits.finite(crops.take(count), count)
