"""Labels of a folder of images from one file beside them: a CSV table or a JSON document with
one record per image, keyed by the image's path relative to the folder.

CSV: a header row, a ``file_column`` and numeric columns. JSON: a list of objects (each with
``file_column``) or an object mapping each file name to an object; values are numbers or lists
of numbers. ``columns`` (gin: ``image_folder.label_columns``) names the dataset entries:
``{'gaze': ['gx', 'gy', 'gz']}`` makes entry ``gaze`` float32 ``[3]`` from three fields (a list
field counts as its values in order); None makes every field other than the file column an entry
of its own (a number: shape ``[]``, a list of k: ``[k]``). An entry whose every value is written
as a whole number (``3``, not ``3.0``) is int32, so class labels stay classes (the label
evaluators' ``task = 'auto'`` classifies integer labels); any other entry is float32.
"""

from __future__ import annotations

import csv
import json
import os
import re
from typing import Any, Mapping, Sequence

import numpy as np

from simgan.plugins.eyes import records

RESERVED = ("image", "file")
INTEGER = re.compile(r"[+-]?\d+")
INT32_MIN, INT32_MAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max


def read(path: str, file_column: str, source: str) -> dict[str, dict[str, Any]]:
    """``{relative file name: {field: number or list}}`` from a .csv or .json file."""
    records.require_file(path, f"{source}.labels", "a .csv or .json label file")
    suffix = os.path.splitext(path)[1].lower()
    try:
        with open(path, newline="", encoding="utf-8") as f:
            if suffix == ".csv":
                rows = list(csv.DictReader(f))
                header = rows[0].keys() if rows else []
                if rows and file_column not in header:
                    records.fail(path, "header", f"a {file_column!r} column (set "
                                 f"{source}.label_file_column)", f"columns {list(header)}")
            elif suffix == ".json":
                document = json.load(f)
                rows = _json_rows(document, file_column, path)
            else:
                records.fail(path, f"{source}.labels", "a .csv or .json file", f"{suffix!r}")
    except (UnicodeDecodeError, csv.Error, json.JSONDecodeError) as e:
        records.fail(path, "(file)", f"a readable {suffix[1:].upper()} label file", str(e))
    table: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=1):
        name = row.get(file_column)
        if not isinstance(name, str) or not name:
            records.fail(path, f"record {number}: {file_column}", "an image file name",
                         repr(name))
        name = name.replace("\\", "/")
        if name in table:
            records.fail(path, f"record {number}: {file_column}", "one record per image",
                         f"a second record for {name!r}")
        table[name] = {k: _number(v, path, number, k, suffix)
                       for k, v in row.items() if k != file_column}
    if not table:
        records.fail(path, "(file)", "one record per image", "no records")
    return table


def _json_rows(document: Any, file_column: str, path: str) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        rows = []
        for name, fields in document.items():
            if not isinstance(fields, dict):
                records.fail(path, name, "an object of label fields", type(fields).__name__)
            rows.append({file_column: name, **fields})
        return rows
    if isinstance(document, list) and all(isinstance(row, dict) for row in document):
        return document
    records.fail(path, "(file)", f"a list of objects with {file_column!r}, or an object "
                 "mapping file names to objects", type(document).__name__)


def _number(value: Any, path: str, number: int, field: str, suffix: str) -> Any:
    """A finite number (an int where the file writes a whole number), or a list of them;
    anything else fails naming the record and field."""
    try:
        if suffix == ".csv" or not isinstance(value, list):
            result = _scalar(value)
            ok = np.isfinite(result)
        else:
            result = [_scalar(v) for v in value]
            ok = bool(result) and all(np.isfinite(result))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        records.fail(path, f"record {number}: {field}", "a finite number or a list of them",
                     repr(value))
    return result


def _scalar(value: Any) -> int | float:
    """A CSV cell or JSON number: an int where written as a whole number that fits int32, else
    a float."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a label value")
    if isinstance(value, int) or (isinstance(value, str) and INTEGER.fullmatch(value.strip())):
        whole = int(value)
        if INT32_MIN <= whole <= INT32_MAX:
            return whole
    return float(value)


def arrays(table: Mapping[str, Mapping[str, Any]], names: Sequence[str],
           columns: Mapping[str, Sequence[str]] | None, path: str,
           source: str) -> dict[str, np.ndarray]:
    """The label entries of the images ``names`` (relative, in dataset order) as arrays
    ``[len(names), ...]``: int32 where every value is a whole number as written, else float32;
    every name must have a record."""
    if columns is None:
        first = next(iter(table.values()))
        columns = {field: [field] for field in first}
        flatten = False
    else:
        flatten = True
    for entry in columns:
        if entry in RESERVED:
            raise records.BadRecordError(
                f"{source}.label_columns: entry {entry!r} is reserved; expected other names "
                f"than {RESERVED}")
    out = {entry: [] for entry in columns}
    for name in names:
        row = table[name]
        for entry, fields in columns.items():
            missing = [f for f in fields if f not in row]
            if missing:
                records.fail(path, f"{name}: {missing[0]}", f"the label fields {list(fields)} "
                             f"({source}.label_columns)", f"fields {sorted(row)}")
            values = [np.ravel(row[f]) for f in fields]
            out[entry].append(np.concatenate(values) if flatten else np.asarray(row[fields[0]]))
    result = {}
    for entry, values in out.items():
        shapes = {np.shape(v) for v in values}
        if len(shapes) > 1:
            records.fail(path, entry, "the same number of values for every image",
                         f"shapes {sorted(shapes)}")
        stacked = np.asarray(values)
        integer = np.issubdtype(stacked.dtype, np.integer)
        result[entry] = stacked.astype(np.int32 if integer else np.float32)
    return result
