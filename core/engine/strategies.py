"""Who writes the run folder under a tf.distribute strategy (the strategy itself is the
command's choice: tools/process.py)."""

from __future__ import annotations

import tensorflow as tf


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
