"""Device-resident pools: a finite dataset held in device memory, sampled inside the step.

``pool`` is a registered dataset wrapper: it builds another registered dataset (in the same gin
scope), keeps its first ``size`` elements (all of them for a finite one), rendered once and
cached on disk (core/pool_cache.py), and returns them as a finite ``tf.data.Dataset``::

    train.synthetic_dataset = 'pool'
    synthetic/pool.dataset = 'eye_simulator'
    synthetic/pool.size = 100000

The trainer recognises a pool (`pooled`) and, instead of iterating it on the host, feeds the
steps from a `PoolBatches`: every key (the image and its labels) lives in a ``tf.Variable`` on
the compute device, and each batch is a gather at indices drawn in the compiled step by a
stateless RNG keyed by ``(seed, counter)``. The counter (and, without replacement, the epoch's
permutation) is the only state and is checkpointed, so a resumed run draws the same batches.
A GPU step is then never fed by a Python or tf.data loop at step rate.
"""

from __future__ import annotations

import contextlib
import dataclasses
import weakref

import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core import data, pool_cache
from simgan.core.registries import DATASETS

_RENDER_CHUNK = 1024
_POOLS: "weakref.WeakKeyDictionary[tf.data.Dataset, Pooled]" = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class Pooled:
    """The arrays of a pool and how batches are drawn from them."""

    arrays: dict[str, np.ndarray]
    replacement: bool

    @property
    def size(self) -> int:
        return len(self.arrays[data.IMAGE_KEY])


def pooled(dataset: tf.data.Dataset) -> Pooled | None:
    """The pool behind ``dataset`` if the ``pool`` wrapper returned it, else None."""
    return _POOLS.get(dataset)


def _materialize(dataset: tf.data.Dataset, name: str, size: int | None) -> dict[str, np.ndarray]:
    """The first ``size`` elements (all when None) of ``dataset`` as stacked arrays."""
    for key, spec in dataset.element_spec.items():
        if not spec.shape.is_fully_defined() or not (spec.dtype.is_floating or spec.dtype.is_integer
                                                      or spec.dtype.is_bool):
            raise data.DatasetContractError(
                f"pool: dataset {name!r} entry {key!r} is {spec.dtype.name} {spec.shape}; a pool "
                "holds numeric entries of a fixed shape")
    if size is None:
        if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
            raise ValueError(f"pool.size: dataset {name!r} is endless; set pool.size to the "
                             "number of elements the pool holds")
    else:
        dataset = dataset.take(size)
    chunks, count = [], 0
    for chunk in dataset.batch(_RENDER_CHUNK).as_numpy_iterator():
        chunks.append(chunk)
        count += len(chunk[data.IMAGE_KEY])
        logging.log_every_n_seconds(logging.INFO, "Pool of %r: %d of %s elements", 10, name,
                                    count, size or "all")
    if count == 0:
        raise ValueError(f"pool.dataset: dataset {name!r} has no elements")
    if size is not None and count < size:
        raise ValueError(f"pool.size: asked for {size} elements but dataset {name!r} has "
                         f"{count}")
    return {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}


@DATASETS.register("pool")
def pool(*, seed: int, dataset: str, size: int | None = None, replacement: bool = True,
         cache: bool = True, cache_dir: str | None = None) -> tf.data.Dataset:
    """Another dataset's first ``size`` elements, held in device memory, sampled in the step.

    The trainer draws each batch inside the compiled step (``replacement=False``: by epochs).

    ``cache``: keep the rendered elements on disk under ``cache_dir`` (default
    ``$SIMGAN_CACHE/pools`` or ``~/.cache/simgan/pools``) so the next run with the same
    parameters loads them instead of rendering; the key does not cover the contents of
    files a reader loads, so set ``cache=False`` for file-backed datasets.
    """
    if dataset == "pool":
        raise ValueError("pool.dataset: a pool cannot wrap another pool")
    if size is not None and size < 1:
        raise ValueError(f"pool.size: expected None (the whole finite dataset) or >= 1, got "
                         f"{size!r}")
    entry = DATASETS.lookup(dataset)
    directory = cache_dir or pool_cache.default_dir()
    inputs = pool_cache.key_inputs(entry, seed, size) if cache else None
    arrays = pool_cache.load(directory, inputs) if cache else None
    if arrays is None:
        inner = DATASETS.build(dataset, seed=seed)  # in the caller's gin scope
        data.check_contract(inner, dataset)
        logging.info("Rendering the pool of %r (%s elements)", dataset, size or "all")
        arrays = _materialize(inner, dataset, size)
        if cache:
            pool_cache.save(directory, inputs, arrays)
    result = tf.data.Dataset.from_tensor_slices(arrays)
    _POOLS[result] = Pooled(arrays, bool(replacement))
    return result


class PoolState(tf.Module):
    """The sampling state: batches (or, without replacement, elements) drawn so far and the
    current epoch's permutation. Small; the pool's data is not part of it."""

    def __init__(self, size: int, batch_size: int, seed: int, replacement: bool):
        super().__init__(name="pool_state")
        self.size, self.batch_size, self.replacement = size, batch_size, replacement
        self.seed = tf.constant(seed, tf.int64)
        self.drawn = tf.Variable(tf.constant(0, tf.int64), trainable=False, name="drawn")
        if not replacement:
            self.order = tf.Variable(self._permutation(tf.constant(0, tf.int64)),
                                     trainable=False, name="order")

    def _permutation(self, epoch: tf.Tensor) -> tf.Tensor:
        keys = tf.random.stateless_uniform([self.size], tf.stack([self.seed, epoch]))
        return tf.argsort(keys, stable=True)  # int32

    def indices(self) -> tf.Tensor:
        """The next batch's indices; advances the state."""
        if self.replacement:
            drawn = self.drawn.assign_add(1) - 1
            return tf.random.stateless_uniform([self.batch_size], tf.stack([self.seed, drawn]),
                                               minval=0, maxval=self.size, dtype=tf.int32)
        start = self.drawn.assign_add(self.batch_size) - self.batch_size
        offset = tf.cast(start % self.size, tf.int32)
        end = offset + self.batch_size

        def within_epoch():
            return self.order[offset:end]

        def across_epochs():  # the tail of this epoch, then the head of the next one
            following = self._permutation(start // self.size + 1)
            batch = tf.concat([self.order[offset:], following[:end - self.size]], 0)
            with tf.control_dependencies([batch]):
                self.order.assign(following)
            return tf.identity(batch)

        return tf.cond(end < self.size, within_epoch, across_epochs)


def _device(strategy: tf.distribute.Strategy) -> str | None:
    """The first compute device of ``strategy`` (None for the default strategy)."""
    try:
        return strategy.extended.worker_devices[0]
    except RuntimeError:
        return None


class PoolBatches:
    """A batch source (core/staging.py's interface) drawing global batches from a pool held
    on the strategy's first device; the steps split each batch across the replicas."""

    def __init__(self, source: Pooled, batch_size: int, seed: int,
                 strategy: tf.distribute.Strategy):
        if not source.replacement and batch_size > source.size:
            raise ValueError(f"pool.size: {source.size} elements cannot fill a batch of "
                             f"{batch_size} without replacement")
        device = _device(strategy)
        with tf.device(device) if device else contextlib.nullcontext():
            self.data = {key: tf.Variable(value, trainable=False, name=f"pool_{key}")
                         for key, value in source.arrays.items()}
            self.state = PoolState(source.size, batch_size, seed, source.replacement)
        logging.info("Pool of %d elements (%s) on %s, batches of %d drawn %s replacement",
                     source.size, ", ".join(self.data), device or "the default device",
                     batch_size, "with" if source.replacement else "without")

    def next(self) -> dict[str, tf.Tensor]:
        """The next batch with every key of the pool (images and their labels)."""
        indices = self.state.indices()
        return {key: tf.gather(value, indices) for key, value in self.data.items()}

    def prime(self) -> None:
        """Nothing is staged: the pool already is on the device."""

    def trackables(self, name: str) -> dict:
        return {name: self.state}
