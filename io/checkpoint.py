"""Checkpoints of the whole training state through tf.train.CheckpointManager.

What is saved: both models, both optimizers, the buffer strategy (its variables and RNG), the
global step, the divergence flag and the positions of the input iterators, so a killed run
resumes bit-for-bit. The manager writes the data files first and the `checkpoint` index last
(atomically), so a kill mid-save leaves the previous checkpoint as the latest.

A resume reads a checkpoint whole (every tensor, so every checksum) before restoring it; a
damaged one (truncated, bit-flipped, half-written) is skipped with a warning naming it and the
newest readable older one is used instead. A failed save (a full disk) stops the run in one line
that says the previous checkpoint is intact.
"""

from __future__ import annotations

import os
import re

import tensorflow as tf
from absl import logging

from simgan.io import files
from simgan.io.read_errors import short_message

_NUMBER = re.compile(r"ckpt-(\d+)\.index$")
_READ_ERRORS = (tf.errors.OpError, IndexError)  # what damaged files raise when read


class CheckpointError(ValueError):
    """No checkpoint of a model dir can be read, though there are some."""


class CheckpointSaveError(OSError):
    """A checkpoint could not be written (e.g. the disk is full)."""


def candidates(directory: str) -> list[str]:
    """Every checkpoint in ``directory``, newest first: those the `checkpoint` index lists and
    any complete-looking ``ckpt-N.index`` beside them (the index itself may be damaged)."""
    paths = set()
    try:
        state = tf.train.get_checkpoint_state(directory)
    except (tf.errors.OpError, ValueError) as e:  # a damaged `checkpoint` text proto
        logging.warning("Ignoring the unreadable checkpoint index in %s: %s", directory, e)
        state = None
    if state is not None:
        paths.update(files.join(directory, os.path.basename(p))
                     for p in state.all_model_checkpoint_paths)
    paths.update(p[: -len(".index")]
                 for p in tf.io.gfile.glob(files.join(directory, "ckpt-*.index")))
    numbered = [(int(m.group(1)), p) for p in paths
                if (m := _NUMBER.search(p + ".index"))]
    return [p for _, p in sorted(numbered, reverse=True)]


def damage(path: str) -> str | None:
    """Why checkpoint ``path`` cannot be restored (reading every tensor checks every checksum
    and length), or None if it reads whole."""
    try:
        # Not tf.train.load_checkpoint: on filesystems where any path prefix is a directory
        # (ram://, some object stores) it takes the checkpoint prefix for a folder.
        reader = tf.compat.v1.train.NewCheckpointReader(path)
        for name, dtype in reader.get_variable_to_dtype_map().items():
            if dtype != tf.variant:  # iterator states: checked when restored
                reader.get_tensor(name)
    except _READ_ERRORS as e:
        return short_message(e)
    return None



def checkpoint_step(path: str) -> int:
    """The step number of checkpoint ``path`` (``.../ckpt-N``)."""
    return int(path.rsplit("-", 1)[1])


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

    def restore_latest(self, before: int | None = None) -> str | None:
        """Restores the newest readable checkpoint (of a step below ``before``, if given) if
        there is one; returns its path.

        Damaged newer ones are skipped with a warning; if every checkpoint is damaged, raises
        CheckpointError naming them and the remedy."""
        bad = []
        for path in candidates(self.restore_directory):
            if before is not None and checkpoint_step(path) >= before:
                continue
            problem = damage(path)
            if not problem:
                try:
                    self.checkpoint.restore(path).assert_existing_objects_matched()
                except AssertionError as e:  # readable, but written by another model
                    raise CheckpointError(
                        f"{path}: does not fit this run's model, so the run cannot resume from "
                        f"it ({short_message(e)}). Resume with the simgan version and "
                        "configuration that wrote it, or move the checkpoints folder away to "
                        "start over.") from e
                except _READ_ERRORS as e:  # e.g. a damaged iterator state; an older
                    problem = short_message(e)  # checkpoint then overwrites every variable
            if problem:
                logging.warning("Checkpoint %s is damaged (%s); trying an older one.", path,
                                problem)
                bad.append(f"{path} ({problem})")
                continue
            if bad:
                logging.warning("Resuming from %s, the newest readable checkpoint (skipped "
                                "damaged: %s)", path, "; ".join(bad))
            logging.info("Restored %s", path)
            return path
        if bad:
            raise CheckpointError(
                f"{self.restore_directory}: no readable checkpoint, every one is damaged: "
                f"{'; '.join(bad)}. Move the checkpoints folder away to start over.")
        return None

    def save(self, step: int) -> str:
        try:
            path = self.manager.save(checkpoint_number=step)
        except (tf.errors.OpError, OSError) as e:
            raise CheckpointSaveError(
                f"Could not save the checkpoint of step {step} in {self.manager.directory}: "
                f"{short_message(e)}. The previous "
                f"checkpoint ({self.manager.latest_checkpoint or 'none yet'}) is intact; fix "
                "the cause (e.g. free disk space) and rerun to resume.") from e
        logging.debug("Saved checkpoint %s", path)
        return path
