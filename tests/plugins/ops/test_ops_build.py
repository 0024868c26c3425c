"""core.custom_ops and `simgan-build-ops`: fingerprinted cache, atomic build, clear errors."""

import os
import subprocess
import sys

import pytest

from simgan.plugins.ops import build as custom_ops
from simgan.plugins.ops import fused_adversarial


def test_build_is_cached_and_fingerprinted(op_cache, tmp_path):
    library = fused_adversarial.LIBRARY
    path = library.path(op_cache)
    assert os.path.isfile(path) and os.path.basename(path).startswith("fused_local_adversarial-")
    mtime = os.path.getmtime(path)
    assert custom_ops.build(library, op_cache) == path  # up to date: not rebuilt
    assert os.path.getmtime(path) == mtime
    assert [f for f in os.listdir(op_cache) if f.startswith(".")] == []  # no partial files left
    edited = tmp_path / "edited.cc"
    edited.write_text(open(library.sources[0]).read() + "\n// edited\n")
    assert custom_ops.OpLibrary(library.name, (str(edited),)).path(op_cache) != path


def test_compile_error_names_the_source(tmp_path):
    source = tmp_path / "broken.cc"
    source.write_text("int broken = ;\n")
    library = custom_ops.OpLibrary("broken", (str(source),))
    with pytest.raises(custom_ops.BuildError, match="broken.cc"):
        custom_ops.build(library, str(tmp_path / "cache"))
    assert os.listdir(tmp_path / "cache") == []  # the failed build leaves nothing behind


def test_declare_checks_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.cc"):
        custom_ops.declare("missing", [str(tmp_path / "missing.cc")])
    with pytest.raises(ValueError, match="already declared"):
        custom_ops.declare("fused_local_adversarial", [__file__])


def test_build_ops_command_reuses_the_cache(op_cache):
    result = subprocess.run(
        [sys.executable, "-m", "simgan.tools.build_ops", "--plugin=simgan.plugins.ops",
         f"--cache_dir={op_cache}"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"fused_local_adversarial: {fused_adversarial.LIBRARY.path(op_cache)}" in result.stdout
