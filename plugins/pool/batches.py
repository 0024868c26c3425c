"""Batches drawn inside the compiled step from a pool held in device memory.

Each batch is a gather at indices drawn by a stateless RNG keyed by ``(seed, counter)``; the
counter (and, without replacement, the epoch's permutation) is the only state and is
checkpointed, so a resumed run draws the same batches.
"""

from __future__ import annotations

import contextlib

import numpy as np
import tensorflow as tf
from absl import logging


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
    """A batch source (core/engine/sources.py's protocol) drawing global batches from a pool held
    on the strategy's first device; the steps split each batch across the replicas."""

    def __init__(self, arrays: dict[str, np.ndarray], replacement: bool, batch_size: int,
                 seed: int, strategy: tf.distribute.Strategy):
        size = len(next(iter(arrays.values())))
        if not replacement and batch_size > size:
            raise ValueError(f"pool.size: {size} elements cannot fill a batch of "
                             f"{batch_size} without replacement")
        device = _device(strategy)
        with tf.device(device) if device else contextlib.nullcontext():
            self.data = {key: tf.Variable(value, trainable=False, name=f"pool_{key}")
                         for key, value in arrays.items()}
            self.state = PoolState(size, batch_size, seed, replacement)
        logging.info("Pool of %d elements (%s) on %s, batches of %d drawn %s replacement",
                     size, ", ".join(self.data), device or "the default device",
                     batch_size, "with" if replacement else "without")

    def next(self) -> dict[str, tf.Tensor]:
        """The next batch with every key of the pool (images and their labels)."""
        indices = self.state.indices()
        return {key: tf.gather(value, indices) for key, value in self.data.items()}

    def prime(self) -> None:
        """Nothing is staged: the pool already is on the device."""

    def trackables(self, name: str) -> dict:
        return {name: self.state}
