"""Bad-input handling shared by the file readers: one error format, one skip counter.

Every reader validates what it can when the dataset is built (metadata, labels, shapes, dtypes,
the structure of each image file), so a broken file fails there with its name, the field and
what was expected, not later as a bare error from inside a TensorFlow kernel.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterable, NoReturn, Sequence

import numpy as np
from absl import logging
from PIL import Image, UnidentifiedImageError

from simgan.io.files import printable


class BadRecordError(ValueError):
    """A file or record does not hold what its reader expects."""


def message(file: str, field: str, expected: str, got: str) -> str:
    """``<file>: <field>: expected <expected>, got <got>``; a file name that is not UTF-8 is
    shown with \\xNN escapes."""
    return f"{printable(file)}: {field}: expected {expected}, got {got}"


def fail(file: str, field: str, expected: str, got: str) -> NoReturn:
    """Raises the reader error for a problem that cannot be skipped (e.g. an empty directory)."""
    raise BadRecordError(message(file, field, expected, got))


class BadRecords:
    """Raises on the first bad record, or (``skip=True``) counts them and warns once."""

    _EXAMPLES = 3

    def __init__(self, source: str, skip: bool):
        self.source = source
        self.skip = skip
        self.skipped: list[str] = []

    def bad(self, file: str, field: str, expected: str, got: str) -> None:
        text = message(file, field, expected, got)
        if not self.skip:
            raise BadRecordError(
                text + f" (set {self.source}.skip_bad_records = True to skip such records)")
        self.skipped.append(text)

    @contextlib.contextmanager
    def guard(self):
        """Guards the reading of one file: with ``skip``, a BadRecordError skips the whole file."""
        try:
            yield
        except BadRecordError as e:
            if not self.skip:
                raise
            self.skipped.append(str(e))

    def report(self, kept: int) -> None:
        """Logs how many records were skipped (and a few reasons); raises if none is left."""
        if self.skipped:
            examples = "; ".join(self.skipped[:self._EXAMPLES])
            logging.warning("%s: skipped %d bad record(s), kept %d. First: %s", self.source,
                            len(self.skipped), kept, examples)
        if kept == 0:
            first = f"; the first: {self.skipped[0]}" if self.skipped else ""
            raise BadRecordError(f"{self.source}: no usable record left "
                                 f"({len(self.skipped)} bad record(s) skipped{first})")


def finite_unit_vectors(values: np.ndarray, file: str, field: str, dim: int,
                        records: BadRecords, first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Checks ``values`` is ``[N, dim]`` finite and non-zero per row; returns (unit rows, ok mask).

    A wrong shape or dtype fails for the whole file; a bad row is reported through ``records``.
    """
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[1] != dim or not np.issubdtype(values.dtype, np.number):
        fail(file, field, f"a numeric [N, {dim}] array", f"{values.dtype} {values.shape}")
    values = values.astype(np.float64)
    norms = np.linalg.norm(values, axis=1)
    ok = np.isfinite(values).all(axis=1) & (norms > 0)
    for row in np.flatnonzero(~ok):
        records.bad(file, f"{field}[{first_row + row}]", f"a finite non-zero {dim}-vector",
                    np.array2string(values[row], precision=4))
    unit = np.zeros_like(values, dtype=np.float32)
    unit[ok] = values[ok] / norms[ok, None]
    return unit, ok


def tf_paths(files: Sequence[str]) -> np.ndarray:
    """``files`` as the bytes of their names, for TensorFlow: a name that is not UTF-8 (kept by
    Python as lone surrogates) cannot become a tf.string otherwise."""
    return np.array([os.fsencode(f) for f in files], dtype=object)


def require_file(path: str, field: str, expected: str) -> None:
    """Raises naming ``field`` unless ``path`` is an existing file (a directory says so)."""
    if os.path.isdir(path):
        raise BadRecordError(f"{printable(path)}: {field}: is a directory; expected {expected}")
    if not os.path.isfile(path):
        fail(path, field, expected, "no such file")


def require_directory(path: str, field: str, expected: str) -> None:
    """Raises naming ``field`` unless ``path`` is an existing directory (a file says so)."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise BadRecordError(f"{printable(path)}: {field}: is a file; expected {expected}")
    if not os.path.isdir(path):
        fail(path, field, expected, "no such directory")


def list_files(directory: str, suffixes: Sequence[str], source: str,
               recursive: bool = False) -> list[str]:
    """Sorted files under ``directory`` ending in one of ``suffixes``; raises if there is none."""
    require_directory(directory, f"{source}.path", "an existing directory")
    suffixes = tuple(s.lower() for s in suffixes)
    if recursive:
        walked: Iterable = ((root, names) for root, _, names in os.walk(directory))
    else:
        walked = [(directory, os.listdir(directory))]
    files = sorted(os.path.join(root, name) for root, names in walked for name in names
                   if name.lower().endswith(suffixes) and not name.startswith("."))
    if not files:
        fail(directory, f"{source}.path", f"files ending in {', '.join(suffixes)}",
             "none (empty directory)")
    return files


def image_file_problem(path: str, formats: Sequence[str] = ("JPEG", "PNG", "BMP", "GIF")
                       ) -> str | None:
    """Why ``path`` is not a complete image in one of ``formats``, or None if it decodes.

    Pillow identifies the format from the content (not the name) and decodes the whole file
    (JPEGs at 1/8 scale, which still reads every byte), so missing, empty, truncated and
    non-image files fail at build time, before training.
    """
    kind = None
    try:
        size = os.path.getsize(path)
        if size == 0:
            return "an empty file"
        with Image.open(path) as image:
            kind = image.format
            if kind not in formats:
                return f"a {kind} file"
            image.draft("L", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except UnidentifiedImageError:
        return "a file of unknown format"
    except OSError as e:  # Pillow: "image file is truncated", broken data streams
        if kind is not None:
            return f"a truncated or damaged {kind} file ({size} bytes: {e})"
        return f"an unreadable file ({e.strerror or e})"
    return None


def image_size(path: str) -> tuple[int, int]:
    """(height, width) of an image file, from its header."""
    with Image.open(path) as image:
        return image.height, image.width
