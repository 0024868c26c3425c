"""Atomic file writes through tf.io.gfile (a reader never sees a half-written result file;
a model dir may live on any filesystem TensorFlow knows: local, gs://, ram://) and checksums."""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
import uuid

import tensorflow as tf


def _is_local(path: str) -> bool:
    return "://" not in path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def join(*parts: str) -> str:
    """``os.path.join`` for local paths, ``/``-joined for filesystem URLs (gs://, ram://)."""
    return os.path.join(*parts) if _is_local(parts[0]) else posixpath.join(*parts)


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Writes ``data`` to a temporary file beside ``path``, then renames it over ``path``
    (locally the temporary file is fsynced first and gets the usual file mode)."""
    if not _is_local(path):
        tf.io.gfile.makedirs(posixpath.dirname(path))
        tmp = f"{path}.tmp-{uuid.uuid4().hex}"
        with tf.io.gfile.GFile(tmp, "wb") as f:
            f.write(data)
        tf.io.gfile.rename(tmp, path, overwrite=True)
        return
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


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
