"""Device-resident pools: a finite dataset held in device memory, sampled inside the step.

``pool`` is a registered dataset wrapper: it builds another registered dataset (in the same gin
scope), keeps its first ``size`` elements (all of them for a finite one), rendered once and
cached on disk (cache.py), and returns them as a finite ``tf.data.Dataset``::

    train.synthetic_dataset = 'pool'
    synthetic/pool.dataset = 'eye_simulator'
    synthetic/pool.size = 100000

The engine does not iterate a pool on the host: this plugin registers a batch-source provider
(core/engine/sources.py) that feeds the steps from a `PoolBatches` (batches.py): every key
(the image and its labels) lives in a ``tf.Variable`` on the compute device, and each batch
is a gather at indices drawn in the compiled step by a stateless RNG keyed by ``(seed,
counter)``. The counter (and, without replacement, the epoch's
permutation) is the only state and is checkpointed, so a resumed run draws the same batches.
A GPU step is then never fed by a Python or tf.data loop at step rate.
"""

from __future__ import annotations

import dataclasses
import weakref

import numpy as np
import tensorflow as tf
from absl import logging

from simgan.core import data
from simgan.core.engine import sources
from simgan.core.registries import DATASETS
from simgan.plugins.pool import cache as pool_cache
from simgan.plugins.pool.batches import PoolBatches

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


@sources.register_provider
def pool_batches(dataset: tf.data.Dataset, batch_size: int, seed: int,
                 strategy: tf.distribute.Strategy) -> PoolBatches | None:
    """The engine's batch source for a dataset the ``pool`` wrapper returned (else None)."""
    source = pooled(dataset)
    if source is None:
        return None
    return PoolBatches(source.arrays, source.replacement, batch_size, seed, strategy)


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
        data.check_contract(inner, data.describe(dataset, detail="pool.dataset"))
        logging.info("Rendering the pool of %r (%s elements)", dataset, size or "all")
        arrays = _materialize(inner, dataset, size)
        if cache:
            pool_cache.save(directory, inputs, arrays)
    result = tf.data.Dataset.from_tensor_slices(arrays)
    _POOLS[result] = Pooled(arrays, bool(replacement))
    return result
