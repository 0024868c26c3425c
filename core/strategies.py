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
        return tf.distribute.MirroredStrategy()
    raise ValueError(f"--strategy: expected one of {', '.join(STRATEGIES)}, got {name!r}")
