"""One writer per output directory: an exclusive `flock` on a lock file inside it.

A training run, a conversion and an ablation summary each hold the lock of the directory they
write for as long as they write, so a second process aimed at the same directory is refused
with the holder's PID instead of silently mixing its files with the first one's. The kernel
releases the lock when the holder exits, however it exits, so a killed run resumes at once.
Creating the directory and its lock file is also the up-front check that the directory is
usable: a path that is a file, or a folder that is not writable, fails here in one line before
any work.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from typing import Iterator

from absl import logging

LOCK_FILE = ".simgan.lock"


class DirectoryInUseError(OSError):
    """Another process holds the lock of the directory."""


class DirectoryUnusableError(OSError):
    """The directory cannot be created or written (a file is in the way, no permission...)."""


def prepare(directory: str, flag: str) -> None:
    """Creates ``directory`` if needed; raises a one-line DirectoryUnusableError naming ``flag``
    when it is a file, lies under a file, or cannot be written."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise DirectoryUnusableError(f"{flag} {directory!r}: is a file, expected a directory")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise DirectoryUnusableError(
            f"{flag} {directory!r}: cannot create the directory ({e.strerror})") from e
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DirectoryUnusableError(f"{flag} {directory!r}: the directory is not writable")


@contextlib.contextmanager
def hold(directory: str, flag: str, *, wait: bool = False) -> Iterator[str]:
    """Holds the exclusive lock of ``directory`` (created if needed) while the block runs.

    A second holder is refused with DirectoryInUseError naming the holder's PID, or, with
    ``wait``, blocks until the lock is free. ``flag`` names the option that gave the directory,
    for the messages. Yields the lock file's path ("" for a remote URL, which is not locked).
    """
    if "://" in directory:  # gs://, hdfs://...: no flock there; the user keeps runs apart
        logging.warning("%s %s: a remote folder cannot be locked; make sure no other process "
                        "writes it", flag, directory)
        yield ""
        return
    prepare(directory, flag)
    path = os.path.join(directory, LOCK_FILE)
    try:
        handle = open(path, "a+", encoding="utf-8")
    except OSError as e:
        raise DirectoryUnusableError(
            f"{flag} {directory!r}: cannot create the lock file {LOCK_FILE} ({e.strerror})") from e
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DirectoryInUseError(
                f"{flag} {directory!r}: in use by another process (PID {holder}); wait for it "
                "to finish or choose another directory") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
