"""The dataset contract and the shared input transforms.

A dataset is a registered factory ``factory(*, seed: int, **hyper_parameters)`` returning an
*unbatched* ``tf.data.Dataset`` of dicts. ``"image"`` is float32 ``[H, W, C]`` in [-1, 1];
synthetic datasets add labels (``"gaze"``: a unit 3-vector); real ones may have none.
The trainer builds the synthetic set under the gin scope ``synthetic`` and the real set under
``real``, so one factory can serve both (``real/eye_simulator.domain = 'real_like'``).
"""

from __future__ import annotations

import gin
import numpy as np
import tensorflow as tf

from simgan.core import registry
from simgan.core.registries import DATASETS

IMAGE_KEY = "image"


class DatasetContractError(ValueError):
    """A dataset's elements do not follow the contract above."""


def to_unit_range(images: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def to_uint8(images: tf.Tensor) -> tf.Tensor:
    """float [-1, 1] -> uint8 [0, 255], clipping out-of-range values."""
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def check_contract(dataset: tf.data.Dataset, where: str) -> tf.TensorSpec:
    """Checks ``dataset`` (``where`` names it) yields a float32 [H, W, C] 'image'; its spec."""
    spec = dataset.element_spec
    image = spec.get(IMAGE_KEY) if isinstance(spec, dict) else None
    if getattr(image, "dtype", None) != tf.float32 or image.shape.rank != 3:
        raise DatasetContractError(f"{where} must yield dicts with a float32 [H, W, C] "
                                   f"{IMAGE_KEY!r} entry; it yields {spec}")
    return image


def describe(name: str, scope: str = "", detail: str = "") -> str:
    """Dataset ``name`` as errors name it, with its gin ``scope`` and ``detail`` if given."""
    context = ", ".join(part for part in (scope and f"gin scope {scope!r}", detail) if part)
    return f"Dataset {name!r}" + (f" ({context})" if context else "")


def build(name: str, scope: str, seed: int) -> tf.data.Dataset:
    """Builds dataset ``name`` under gin scope ``scope``, never nested; checks the contract."""
    with gin.config_scope(None), gin.config_scope(scope):
        dataset = DATASETS.build(name, seed=seed)
    check_contract(dataset, describe(name, scope))
    return dataset


def first(dataset: tf.data.Dataset, count: int) -> dict[str, np.ndarray]:
    """Up to ``count`` first elements of a dataset of dicts, batched into numpy arrays."""
    return {k: v.numpy() for k, v in next(iter(dataset.batch(count).take(1))).items()}


def check_entries(dataset: tf.data.Dataset, where: str, required: tuple[str, ...],
                  asked: str = "") -> None:
    """Fails naming ``where`` (``describe``'s text) and ``asked`` (the setting that needs it,
    e.g. " (downstream.label_key)") when elements lack an entry in ``required``."""
    missing = [key for key in required if key not in dataset.element_spec]
    if missing:
        raise DatasetContractError(f"{where} has no {missing[0]!r} entry{asked}; its elements "
                                   f"hold {sorted(dataset.element_spec)}")


def check_size(size: int, where: str, count: int, asked: str = "") -> None:
    """Fails naming ``where`` and ``asked`` (as above) when a known ``size`` (>= 0) < ``count``."""
    if 0 <= size < count:
        raise DatasetContractError(f"{where} has only {size} examples; {count} were asked "
                                   f"for{asked}")


def take(name: str, scope: str, seed: int, count: int, required: tuple[str, ...] = (),
         dataset: tf.data.Dataset | None = None) -> dict[str, np.ndarray]:
    """The first ``count`` elements of registered dataset ``name`` (built under gin scope
    ``scope``, unless ``dataset`` is it already built) as numpy arrays; fails naming the dataset
    when it has fewer, or lacks an entry in ``required`` (e.g. a label an evaluator needs)."""
    dataset = build(name, scope, seed) if dataset is None else dataset
    where = describe(name, scope)
    check_entries(dataset, where, required)
    check_size(int(dataset.cardinality()), where, count)
    arrays = first(dataset, count)
    check_size(len(arrays[IMAGE_KEY]), where, count)
    return arrays


@registry.configurable("batched", module="data")
def batched(dataset: tf.data.Dataset, batch_size: int, seed: int, *,
            shuffle_buffer: int = 1024, cache: bool = False,
            repeat: bool = True, drop_remainder: bool = True) -> tf.data.Dataset:
    """Cache (optionally), shuffle with ``seed``, repeat, batch and prefetch a dataset."""
    if cache:
        dataset = dataset.cache()
    if shuffle_buffer > 1:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)
