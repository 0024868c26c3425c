"""docs/API.md: its examples, run in order as they are, on docs/YOUR_DATA.md's toy folders
(issue 18, item 4); `import simgan` stays light; errors name Python arguments."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from doc_blocks import blocks, make_toy_folders


def test_the_examples_run(tmp_path, monkeypatch):
    make_toy_folders(tmp_path)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, code in enumerate(blocks("API.md", "python")):
        exec(compile(code, f"API.md block {i}", "exec"), namespace)  # pylint: disable=exec-used
    assert 0.0 <= namespace["results"]["c2st/refined/accuracy"] <= 1.0
    assert namespace["refined"].dtype == np.float32
    assert namespace["manifest"]["images"] == 300
    labels = json.loads((tmp_path / "data" / "refined_api" / "labels.json").read_text())
    assert set(labels) == {p.relative_to(tmp_path / "data" / "synthetic").as_posix()
                           for p in (tmp_path / "data" / "synthetic").rglob("*.png")}
    assert set(labels["000.png"]) == {"x", "y"}


def test_import_simgan_is_light_and_lists_the_api():
    code = ("import sys, simgan\n"
            "assert 'tensorflow' not in sys.modules\n"
            "print(simgan.__version__, sorted(dir(simgan)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=os.path.dirname(__file__))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "['__version__', 'load_refiner', 'refine', 'train']" in done.stdout


def test_errors_name_python_arguments(tmp_path):
    import simgan  # pylint: disable=import-outside-toplevel
    with pytest.raises(ValueError, match="^gin_files: 'nope.gin': no such file"):
        simgan.train(gin_files=["nope.gin"], model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="^model_dir: expected a folder path"):
        simgan.train(gin_files=["your_data.gin"], model_dir="")
    with pytest.raises(ValueError, match="^output_dir: expected the folder"):
        simgan.refine(input_dir=str(tmp_path), refiner="r.keras")
    with pytest.raises(ValueError, match=r"^give model_dir \(a simgan-train run\) or refiner"):
        simgan.refine(input_dir=str(tmp_path), output_dir=str(tmp_path / "out"))
    with pytest.raises(FileNotFoundError, match="refiner 'r.keras': no such file"):
        simgan.load_refiner("r.keras")
