"""Model dir problems fail in one line before any work, with nothing written; every CLI turns
a user error (a bad path, a broken --plugin) into one line."""

import os
import shutil
import subprocess
import sys

import pytest

from train_cli import TESTS, run_train, train_command, write_config

SETPRIV = shutil.which("setpriv")


def _error_lines(stderr, tool):
    return [l for l in stderr.splitlines() if l.startswith(f"{tool}: error:")]


def _tree(path):
    return sorted(os.path.relpath(os.path.join(root, name), path)
                  for root, dirs, files in os.walk(path) for name in dirs + files)


def test_model_dir_that_is_a_file_fails_before_any_work(tmp_path):
    gin_file = write_config(tmp_path)
    model_dir = tmp_path / "model"
    model_dir.write_text("not a folder")
    before = _tree(tmp_path)
    result = run_train(model_dir, gin_file)
    assert result.returncode == 1
    assert _error_lines(result.stderr, "simgan-train") == [
        f"simgan-train: error: --model_dir {str(model_dir)!r}: is a file, expected a directory"]
    assert _tree(tmp_path) == before and model_dir.read_text() == "not a folder"


def _unprivileged(command):
    """``command`` run without any capability, so root's permission override is gone."""
    if os.geteuid() != 0:
        return command
    if SETPRIV is None:
        pytest.skip("running as root without setpriv: root writes into read-only folders, so "
                    "the case cannot be produced")
    return [SETPRIV, "--inh-caps=-all", "--bounding-set=-all", "--", *command]


def test_read_only_model_dir_fails_before_any_work(tmp_path):
    gin_file = write_config(tmp_path)
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "notes.txt").write_text("kept")
    model_dir.chmod(0o555)
    try:
        result = subprocess.run(_unprivileged(train_command(model_dir, gin_file)),
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 1, result.stderr[-2000:]
        lines = _error_lines(result.stderr, "simgan-train")
        assert len(lines) == 1 and f"--model_dir {str(model_dir)!r}" in lines[0], lines
        assert "Permission denied" in lines[0] or "not writable" in lines[0]
        assert _tree(model_dir) == ["notes.txt"]
    finally:
        model_dir.chmod(0o755)


BROKEN = "import nonexistent_module_of_the_test\n"


@pytest.mark.parametrize("tool, module", [("simgan-components", "simgan.tools.components"),
                                          ("simgan-convert", "simgan.tools.convert")])
def test_broken_plugin_is_one_line(tmp_path, tool, module):
    plugin = tmp_path / "broken.py"
    plugin.write_text(BROKEN)
    extra = ["--source=x", f"--output_dir={tmp_path / 'out'}"] if "convert" in module else []
    result = subprocess.run([sys.executable, "-m", module, f"--plugin={plugin}", *extra],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = _error_lines(result.stderr, tool)
    assert len(lines) == 1 and "broken.py" in lines[0] and "nonexistent_module" in lines[0]


def test_output_dir_that_is_a_file_is_one_line_in_convert(tmp_path):
    out = tmp_path / "out"
    out.write_text("x")
    result = subprocess.run([sys.executable, "-m", "simgan.tools.convert",
                             f"--plugin={os.path.join(TESTS, 'toy_data.py')}",
                             "--source=toy_squares", f"--output_dir={out}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _error_lines(result.stderr, "simgan-convert") == [
        f"simgan-convert: error: --output_dir {str(out)!r}: is a file, expected a directory"]


POOLS = """
import sys
sys.path.insert(0, sys.argv[2])
import toy_data  # noqa: F401  (registers toy_squares)
from simgan.plugins.pool import pool
for seed in (0, 1):
    print("elements", len(list(pool.pool(seed=seed, dataset="toy_squares", size=4,
                                         cache_dir=sys.argv[1]))))
"""


@pytest.mark.parametrize("where", ["read-only", "under read-only"])
def test_a_read_only_pool_cache_is_one_warning_and_no_cache(tmp_path, where):
    read_only = tmp_path / "cache"
    read_only.mkdir()
    read_only.chmod(0o555)
    cache = read_only if where == "read-only" else read_only / "pools"
    try:
        result = subprocess.run(_unprivileged([sys.executable, "-c", POOLS, str(cache), TESTS]),
                                capture_output=True, text=True, timeout=300)
    finally:
        read_only.chmod(0o755)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "elements 4\nelements 4\n"  # both pools rendered, without the cache
    warnings = [line for line in result.stderr.splitlines() if "Pool cache" in line]
    assert len(warnings) == 1 and f"Pool cache {cache} is unusable ([Errno 13] Permission " \
        "denied: " in warnings[0], result.stderr[-3000:]
    assert "going on without it" in warnings[0] and os.listdir(read_only) == []
