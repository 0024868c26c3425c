"""Atomic file writes through tf.io.gfile (a reader never sees a half-written result file;
a model dir may live on any filesystem TensorFlow knows: local, gs://, ram://) and checksums.

A write that fails (a full disk, a file-size limit, no permission) raises `WriteError` naming
the file, and leaves the previous version of the file and no temporary file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import tempfile
import uuid
from typing import Iterator

import tensorflow as tf


def _is_local(path: str) -> bool:
    return "://" not in path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class WriteError(OSError):
    """Writing a result file failed; the message names the file and the reason."""


@contextlib.contextmanager
def writing(path: str) -> Iterator[None]:
    """Turns an error of the writes in the block (OSError, or TensorFlow's for gfile and
    TFRecord writers) into a one-line WriteError naming ``path``."""
    try:
        yield
    except WriteError:
        raise
    except (OSError, tf.errors.OpError) as e:
        reason = getattr(e, "strerror", None) or getattr(e, "message", None) or str(e)
        reason = reason.splitlines()[0] if reason else type(e).__name__
        if isinstance(e, tf.errors.OpError):  # "<temporary file>; No space left on device"
            reason = reason.rsplit("; ", 1)[-1]
        raise WriteError(f"Writing {path} failed: {reason}; free some space or fix the folder, "
                         "then run the same command again") from e


def join(*parts: str) -> str:
    """``os.path.join`` for local paths, ``/``-joined for filesystem URLs (gs://, ram://)."""
    return os.path.join(*parts) if _is_local(parts[0]) else posixpath.join(*parts)


def atomic_write_bytes(path: str, data: bytes, private: bool = False) -> None:
    """Writes ``data`` to a temporary file beside ``path``, then renames it over ``path``
    (locally the temporary file is fsynced first and gets the usual file mode, or 0600 if
    ``private``); raises WriteError naming ``path`` if that fails."""
    with writing(path):
        _atomic_write(path, data, private)


def _atomic_write(path: str, data: bytes, private: bool) -> None:
    if not _is_local(path):
        tf.io.gfile.makedirs(posixpath.dirname(path))
        tmp = f"{path}.tmp-{uuid.uuid4().hex}"
        try:
            with tf.io.gfile.GFile(tmp, "wb") as f:
                f.write(data)
            tf.io.gfile.rename(tmp, path, overwrite=True)
        except BaseException:
            if tf.io.gfile.exists(tmp):
                tf.io.gfile.remove(tmp)
            raise
        return
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if not private:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str, text: str, private: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), private)


def printable(path: str) -> str:
    """``path`` with the bytes of a name that is not UTF-8 (which Python keeps as lone
    surrogates) shown as ``\\xNN``, so that it can be printed, logged or stored as text."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_text(path: str) -> str | None:
    """The text of ``path`` (any filesystem), or None when it does not exist."""
    if not tf.io.gfile.exists(path):
        return None
    with tf.io.gfile.GFile(path, "r") as f:
        return f.read()


def sha256(path: str) -> str:
    """The hex SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
