"""Atomic result files, and the evaluation record appended to evaluation.json."""

import json
import os
import stat

import pytest

from simgan.core import evaluation
from simgan.core.files import atomic_write_text


def test_atomic_write_replaces_whole_file_with_normal_mode(tmp_path):
    path = tmp_path / "sub" / "result.json"
    atomic_write_text(str(path), "first")
    atomic_write_text(str(path), "second")
    assert path.read_text() == "second"
    assert os.listdir(tmp_path / "sub") == ["result.json"]  # no temporary file left behind
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH  # readable like any other file


def test_append_results_keeps_one_record_per_step(tmp_path):
    path = str(tmp_path / "evaluation.json")
    evaluation.append_results(path, 10, {"a": 1.0})
    evaluation.append_results(path, 20, {"a": float("nan")})
    evaluation.append_results(path, 10, {"a": 3.0})
    records = evaluation.load_results(path)
    assert sorted((r["step"], r["a"]) for r in records if r["a"] is not None) == [(10, 3.0)]
    assert json.loads((tmp_path / "evaluation.json").read_text())[0]["step"] == 20


def test_corrupt_results_file_names_the_file(tmp_path):
    path = tmp_path / "evaluation.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="evaluation.json: not valid JSON"):
        evaluation.load_results(str(path))
