"""The contract shared by the suite's sim -> real datasets: one factory per pair,
``factory(*, seed, domain='synthetic'|'real', split='train'|'validation'|'test',
num_examples=..., height=..., width=...)``.

The synthetic side is a simulator: endless unless ``num_examples`` is set, drawn from ``seed``
(each split its own stream). The real side is a fixed set, the same in every run like a real
data set on disk: ``split`` selects one of three disjoint parts (SimGAN trains on 'train',
settings are chosen on 'validation', figures are reported on 'test'), ``num_examples`` its
size (None: all of a split read from files, DEFAULT_REAL_SIZES of a generated one), and
``seed`` does not change it (the trainer shuffles it).
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.registries import DATASETS

DOMAINS = ("synthetic", "real")
SPLITS = ("train", "validation", "test")
# Real-set sizes of generated real sides when num_examples is None.
DEFAULT_REAL_SIZES = {"train": 1200, "validation": 500, "test": 500}


def has_splits(name: str) -> bool:
    """Whether registered dataset ``name`` follows this contract (takes ``split`` and
    ``num_examples``)."""
    return {"split", "num_examples"} <= set(DATASETS.lookup(name).parameters())


def check(name: str, domain: str, split: str, num_examples: int | None, height: int,
          width: int, min_size: int = 8) -> None:
    """One-line ValueErrors naming ``name``'s binding for a bad domain, split, size or shape."""
    if domain not in DOMAINS:
        raise ValueError(f"{name}.domain: expected one of {DOMAINS}; got {domain!r}")
    if split not in SPLITS:
        raise ValueError(f"{name}.split: expected one of {SPLITS}; got {split!r}")
    if num_examples is not None and num_examples < 1:
        raise ValueError(f"{name}.num_examples: expected None or >= 1; got {num_examples!r}")
    if height < min_size or width < min_size:
        raise ValueError(f"{name}.height/width: expected at least {min_size}x{min_size}; got "
                         f"{height}x{width}")


def stream(seed: int, split: str) -> int:
    """The simulator seed of the synthetic side's ``split`` for run seed ``seed``: one
    non-overlapping stream per (seed, split)."""
    return seed * len(SPLITS) + SPLITS.index(split)


def real_size(name: str, split: str, num_examples: int | None,
              capacity: int | None = None) -> int:
    """The number of real examples of ``split``: ``num_examples``, else all of a split read
    from files (``capacity``, its size) or the default size of a generated one; never more
    than ``capacity``."""
    if num_examples is None:
        return capacity if capacity is not None else DEFAULT_REAL_SIZES[split]
    if capacity is not None and num_examples > capacity:
        raise ValueError(f"{name}.num_examples: the real {split!r} split holds {capacity} "
                         f"images; {num_examples} were asked for")
    return num_examples


def finite(dataset: tf.data.Dataset, count: int) -> tf.data.Dataset:
    """``dataset`` with its known length, cached: the real sets are small and fixed, so the
    trainer's repeated epochs read memory instead of rendering or decoding again."""
    return dataset.apply(tf.data.experimental.assert_cardinality(count)).cache()
