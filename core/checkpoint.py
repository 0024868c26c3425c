"""Checkpoints of the whole training state through tf.train.CheckpointManager.

What is saved: both models, both optimizers, the buffer strategy (its variables and RNG), the
global step, the divergence flag and the positions of the input iterators, so a killed run
resumes bit-for-bit. The manager writes the data files first and the `checkpoint` index last
(atomically), so a kill mid-save leaves the previous checkpoint as the latest.
"""

from __future__ import annotations

import tensorflow as tf
from absl import logging

from simgan.core import files


class Checkpointer:
    """Saves ``trackables`` under ``output_dir/checkpoints`` and restores the latest checkpoint
    of ``model_dir/checkpoints``. The two differ only for a non-chief multi-worker process,
    which must take part in every save but writes to a scratch folder of its own."""

    def __init__(self, model_dir: str, output_dir: str, max_to_keep: int = 3, **trackables):
        self.restore_directory = files.join(model_dir, "checkpoints")
        self.checkpoint = tf.train.Checkpoint(**trackables)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, files.join(output_dir, "checkpoints"), max_to_keep=max_to_keep)

    def latest(self) -> str | None:
        return tf.train.latest_checkpoint(self.restore_directory)

    def restore_latest(self) -> str | None:
        """Restores the latest checkpoint if there is one; returns its path."""
        latest = self.latest()
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
            logging.info("Restored %s", latest)
        return latest

    def save(self, step: int) -> str:
        path = self.manager.save(checkpoint_number=step)
        logging.debug("Saved checkpoint %s", path)
        return path
