"""The tf.distribute strategies selectable with --strategy."""

from __future__ import annotations

import tensorflow as tf

STRATEGIES = ("default", "mirrored")


def make(name: str) -> tf.distribute.Strategy:
    """'default': one device (the first GPU if any, else the CPU); 'mirrored': all local
    devices of this machine."""
    if name == "default":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    raise ValueError(f"--strategy: expected one of {', '.join(STRATEGIES)}, got {name!r}")
