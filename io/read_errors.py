"""Naming the file behind an error raised while a tf.data pipeline reads it.

A kernel error from inside a pipeline (``DataLossError: corrupted record at 29457``,
``InvalidArgumentError: Invalid PNG data``) cannot say which file it was reading. A dataset
that reads files registers, when it is built, a diagnosis: a function that finds the bad file
(by checksum, or by decoding each file) and describes it. Only when a read fails are the
diagnoses run, so the normal path pays nothing; the first one that finds a culprit turns the
error into a one-line `DataReadError` naming it and the remedy.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Callable, Iterator

import tensorflow as tf
from absl import logging

# Kernel errors a corrupt input file raises inside a pipeline.
READ_ERRORS = (tf.errors.DataLossError, tf.errors.InvalidArgumentError)
_diagnoses: dict[str, Callable[[], str | None]] = {}
_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}")


class DataReadError(ValueError):
    """A file of a dataset is damaged; the message names it and what to do."""


def short_message(error: Exception) -> str:
    """``Type: first line`` of an error, without TensorFlow's ``{{function_node ...}}`` prefix."""
    message = getattr(error, "message", None) or str(error)
    first = _FUNCTION_NODE.sub("", message.splitlines()[0] if message else "").strip()
    return f"{type(error).__name__}: {first}"


def on_read_error(key: str, diagnose: Callable[[], str | None]) -> None:
    """Registers ``diagnose`` (returns a one-line description of the bad file, or None) for the
    dataset read from path ``key``; a rebuild of the same dataset replaces it."""
    _diagnoses.pop(key, None)
    _diagnoses[key] = diagnose


def explain(error: tf.errors.OpError) -> DataReadError | None:
    """The DataReadError naming the file behind ``error``, or None if no diagnosis finds one."""
    for key, diagnose in reversed(list(_diagnoses.items())):  # the newest dataset first
        if not os.path.exists(key):  # a dataset of an earlier run, since removed
            continue
        logging.info("Reading the data failed (%s); checking the files of %s", error.message, key)
        try:
            found = diagnose()
        except OSError as e:  # the diagnosis itself could not read a file: that is the culprit
            found = f"{key}: {e}"
        if found:
            return DataReadError(f"{found} (the read failed with {short_message(error)})")
    return None


@contextlib.contextmanager
def naming_files() -> Iterator[None]:
    """Turns a read error raised in the block into a DataReadError naming the bad file, when a
    registered diagnosis finds it; other errors pass unchanged."""
    try:
        yield
    except READ_ERRORS as e:
        explained = explain(e)
        if explained is None:
            raise
        raise explained from e
