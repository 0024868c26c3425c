"""The tf.distribute strategies selectable with --strategy."""

from __future__ import annotations

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")


def make(name: str) -> tf.distribute.Strategy:
    """'default': one device (the first GPU if any, else the CPU); 'mirrored': all local
    devices of this machine; 'multi_worker': all devices of the workers named in TF_CONFIG
    (every worker runs the same command)."""
    if name == "default":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"--strategy: expected one of {', '.join(STRATEGIES)}, got {name!r}")


def chief_and_task(strategy: tf.distribute.Strategy) -> tuple[bool, int]:
    """Whether this process is the chief (it alone writes the model dir), and its task id."""
    resolver = getattr(strategy, "cluster_resolver", None)
    cluster = resolver.cluster_spec().as_dict() if resolver is not None else {}
    if not cluster:
        return True, 0
    task_type, task_id = resolver.task_type, resolver.task_id or 0
    if "chief" in cluster:
        return task_type == "chief", task_id
    return task_type == "worker" and task_id == 0, task_id
