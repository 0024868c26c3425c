"""Atomic result files and gfile paths."""

import os
import stat

from simgan.io import files
from simgan.io.files import atomic_write_text


def test_atomic_write_replaces_whole_file_with_normal_mode(tmp_path):
    path = tmp_path / "sub" / "result.json"
    atomic_write_text(str(path), "first")
    atomic_write_text(str(path), "second")
    assert path.read_text() == "second"
    assert os.listdir(tmp_path / "sub") == ["result.json"]  # no temporary file left behind
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH  # readable like any other file


def test_a_name_that_is_not_utf8_is_printable(tmp_path):
    name = os.fsdecode(b"caf\xe9.png")  # as os.listdir returns it
    assert files.printable(os.path.join("/data", name)) == "/data/caf\\xe9.png"
    assert files.printable("/data/café.png") == "/data/café.png"
