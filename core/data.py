"""The dataset contract and the shared input transforms.

A dataset is a registered factory ``factory(*, seed: int, **hyper_parameters)`` returning an
*unbatched* ``tf.data.Dataset`` of dicts. ``"image"`` is float32 ``[H, W, C]`` in [-1, 1];
synthetic datasets add labels (``"gaze"``: a unit 3-vector); real ones may have none.
The trainer builds the synthetic set under the gin scope ``synthetic`` and the real set under
``real``, so one factory can serve both (``real/eye_simulator.domain = 'real_like'``).
"""

from __future__ import annotations

import inspect
from typing import Any, Iterator, Mapping

import gin
import numpy as np
import tensorflow as tf

from simgan.core import registry
from simgan.core.config import ConfigError
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


def check_contract(dataset: tf.data.Dataset, name: str) -> tf.TensorSpec:
    """Checks ``dataset`` yields dicts with a float32 rank-3 'image'; returns that spec."""
    spec = dataset.element_spec
    if not isinstance(spec, dict) or IMAGE_KEY not in spec:
        raise DatasetContractError(
            f"Dataset {name!r} must yield dicts with an {IMAGE_KEY!r} entry; it yields {spec}")
    image = spec[IMAGE_KEY]
    if image.dtype != tf.float32 or image.shape.rank != 3:
        raise DatasetContractError(
            f"Dataset {name!r}: {IMAGE_KEY!r} must be float32 [H, W, C]; got "
            f"{image.dtype.name} {image.shape}")
    return image


def build(name: str, scope: str, seed: int) -> tf.data.Dataset:
    """Builds registered dataset ``name`` under gin scope ``scope`` and checks the contract."""
    with gin.config_scope(scope):
        dataset = DATASETS.build(name, seed=seed)
    check_contract(dataset, name)
    return dataset


def first(dataset: tf.data.Dataset, count: int) -> dict[str, np.ndarray]:
    """Up to ``count`` first elements of a dataset of dicts, batched into numpy arrays."""
    return {k: v.numpy() for k, v in next(iter(dataset.batch(count).take(1))).items()}


def take(name: str, scope: str, seed: int, count: int,
         required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The first ``count`` elements of registered dataset ``name`` (built under gin scope
    ``scope``) as numpy arrays; fails naming the dataset when it has fewer, or lacks an entry in
    ``required`` (e.g. a label an evaluator needs)."""
    dataset = build(name, scope, seed)
    missing = [key for key in required if key not in dataset.element_spec]
    if missing:
        raise DatasetContractError(
            f"Dataset {name!r} (gin scope {scope!r}) has no {missing[0]!r} entry; its elements "
            f"hold {sorted(dataset.element_spec)}")
    arrays = first(dataset, count)
    if len(arrays[IMAGE_KEY]) < count:
        raise DatasetContractError(f"Dataset {name!r} (gin scope {scope!r}) has only "
                                   f"{len(arrays[IMAGE_KEY])} examples; {count} were asked for")
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


# ---- what the run selected vs what is bound ---------------------------------------------------

Selection = tuple[str, str]  # (registered dataset, gin scope it is built under)


def evaluator_selections(evaluators: Mapping[str, Any]) -> dict[str, Selection]:
    """The datasets each evaluator draws from (its ``datasets`` attribute: role -> (dataset,
    scope)), keyed for `check_selected` as ``evaluator 'c2st' (real)``."""
    return {f"evaluator {name!r} ({role})": selection
            for name, evaluator in evaluators.items()
            for role, selection in getattr(evaluator, "datasets", {}).items()}


def check_selected(selected: Mapping[str, Selection]) -> None:
    """Fails in one line when a required parameter of a dataset (one without a default, e.g.
    ``image_folder.path``) is bound in a gin scope where the run builds no such dataset: that
    binding would be silently ignored (issue 18: ``real/image_folder.path`` alone trained on the
    simulator). ``selected`` maps what chose each dataset (``'train.real_dataset'``) to
    ``(dataset, scope)``; a wrapper's inner dataset (``real/pool.dataset = 'mpiigaze'``) counts
    as selected in the wrapper's scope. Only required parameters are checked: optional ones are
    set by shared base files (``real/eye_simulator.domain``) for datasets a config may swap out.
    Call it after gin is parsed, before training.
    """
    used = _with_wrapped(selected)
    for scope, name, param in _dataset_bindings():
        if DATASETS.lookup(name).parameters().get(param, None) is not inspect.Parameter.empty:
            continue
        if any(n == name and _applies(scope, s) for n, s in used.values()):
            continue
        binding = f"{scope + '/' if scope else ''}{name}.{param}"
        there = {what: n for what, (n, s) in used.items() if _applies(scope, s)}
        in_use = ", ".join(f"{n!r} ({what})" for what, n in there.items())
        where = f"in gin scope {scope!r}" if scope else "in any gin scope"
        raise ConfigError(
            f"{binding} is bound, but the run builds no {name!r} {where} (datasets in use "
            f"there: {in_use or 'none'}); select it (e.g. "
            f"{next(iter(there), 'train.real_dataset')} = {name!r}) or remove the binding")


def _applies(binding_scope: str, build_scope: str) -> bool:
    """Whether a binding under ``binding_scope`` applies to a build under ``build_scope``
    (gin: a binding's scope must be a prefix of the scope the call runs in)."""
    outer, inner = binding_scope.split("/") if binding_scope else [], build_scope.split("/")
    return inner[:len(outer)] == outer if build_scope else not outer


def _with_wrapped(selected: Mapping[str, Selection]) -> dict[str, Selection]:
    """``selected`` plus the datasets that selected wrappers build: any bound string parameter
    of a selected dataset that names a registered dataset (``pool.dataset``,
    ``refined.source``), in the wrapper's scope."""
    used, todo = dict(selected), list(selected.values())
    while todo:
        name, scope = todo.pop()
        if name not in DATASETS:
            continue
        prefix = f"{scope}/" if scope else ""
        bound = gin.get_bindings(f"{prefix}{DATASETS.kind}.{name}", resolve_references=False)
        for param, value in bound.items():
            if isinstance(value, str) and value in DATASETS and (value, scope) not in todo \
                    and (value, scope) not in used.values():
                used[f"{prefix}{name}.{param}"] = (value, scope)
                todo.append((value, scope))
    return used


def _dataset_bindings() -> Iterator[tuple[str, str, str]]:
    """``(scope, dataset, parameter)`` of every parsed binding of a registered dataset, read
    from ``gin.config_str()`` (lines ``[scope/]selector.param = value``)."""
    for line in gin.config_str().splitlines():
        key = line.split(" = ", 1)[0] if " = " in line and line[:1] not in "# \t" else ""
        scope, _, selector = key.rpartition("/")
        selector, dot, param = selector.rpartition(".")
        if not dot:
            continue  # a macro
        name = selector.removeprefix(f"{DATASETS.kind}.")
        if "." not in name and name in DATASETS:
            yield scope, name, param
