"""Batches for the training steps: straight from a host iterator, or staged on the device.

A `DeviceStage` keeps the *next* batch in a variable on the compute device: each step reads
the staged batch and, without waiting for its compute, copies the following batch from the
host iterator into the variable, so the host-to-device copy overlaps the step. Unlike
`tf.data.experimental.prefetch_to_device`, whose iterators cannot be checkpointed, the staged
batch is a variable: it is saved with the iterator, and a resumed run sees the same batches.
"""

from __future__ import annotations

import tensorflow as tf


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
