"""Batch sources: where each training step's batch of one domain comes from.

A source has ``next()`` (the next global batch, a dict of tensors, called inside the compiled
step), ``prime()`` (called once before the first step) and ``trackables(name)`` (what the
checkpoint saves so a resumed run sees the same batches). The engine feeds each domain from a
host iterator (`HostBatches`), staged on the device (`DeviceStage`), or from a source a plugin
provides for its own datasets (`register_provider`: e.g. the device-resident pools of
plugins/pool).

A `DeviceStage` keeps the *next* batch in a variable on the compute device: each step reads
the staged batch and, without waiting for its compute, copies the following batch from the
host iterator into the variable, so the host-to-device copy overlaps the step. Unlike
`tf.data.experimental.prefetch_to_device`, whose iterators cannot be checkpointed, the staged
batch is a variable: it is saved with the iterator, and a resumed run sees the same batches.
"""

from __future__ import annotations

from typing import Callable, Protocol

import tensorflow as tf


class BatchSource(Protocol):
    """What the engine's steps draw one domain's global batches from."""

    def next(self) -> dict[str, tf.Tensor]: ...

    def prime(self) -> None: ...

    def trackables(self, name: str) -> dict: ...


# (dataset, global batch size, seed, strategy) -> a source for that dataset, or None when the
# provider does not own it.
Provider = Callable[[tf.data.Dataset, int, int, tf.distribute.Strategy], "BatchSource | None"]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Registers a plugin's batch-source provider (usable as a decorator)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def provided(dataset: tf.data.Dataset, batch_size: int, seed: int,
             strategy: tf.distribute.Strategy) -> BatchSource | None:
    """The source a registered provider gives for ``dataset``, or None (use its iterator)."""
    for provider in _PROVIDERS:
        source = provider(dataset, batch_size, seed, strategy)
        if source is not None:
            return source
    return None


class HostBatches:
    """The next batch is pulled from the host iterator when a step needs it."""

    def __init__(self, iterator):
        self.iterator = iterator

    def next(self) -> dict[str, tf.Tensor]:
        return next(self.iterator)

    def prime(self) -> None:
        """Nothing is staged."""

    def trackables(self, name: str) -> dict:
        return {name: self.iterator}


class DeviceStage(tf.Module, HostBatches):
    """The next batch waits in a variable on ``device``."""

    def __init__(self, iterator, spec: dict[str, tf.TensorSpec], device: str):
        tf.Module.__init__(self, name="device_stage")
        HostBatches.__init__(self, iterator)
        with tf.device(device):
            self.batch = {key: tf.Variable(tf.zeros(s.shape, s.dtype), trainable=False,
                                           name=f"staged_{key}") for key, s in spec.items()}
        self.filled = tf.Variable(False, trainable=False, name="staged")

    def _stage(self, batch: dict[str, tf.Tensor]) -> None:
        for key, variable in self.batch.items():
            variable.assign(batch[key])

    def next(self) -> dict[str, tf.Tensor]:
        current = {key: v.read_value() for key, v in self.batch.items()}
        with tf.control_dependencies(list(current.values())):
            self._stage(next(self.iterator))
        return current

    def prime(self) -> None:
        """Stages the first batch, unless a restored checkpoint already holds one."""
        if not bool(self.filled.numpy()):
            self._stage(next(self.iterator))
            self.filled.assign(True)

    def trackables(self, name: str) -> dict:
        return {name: self.iterator, f"{name}_stage": self}
