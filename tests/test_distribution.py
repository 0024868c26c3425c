"""The distribution (setup.py, MANIFEST.in): `python -m build` makes an sdist holding the
project's data and notices and, from it, a wheel that installs in a fresh virtual environment and
trains the quickstart (shortened) with the `simgan` command it installs.

Offline: the build runs without isolation (the test extra brings `build` and setuptools) and the
virtual environment sees the system site-packages, so pip finds TensorFlow and the other
requirements installed and downloads nothing.
"""

import os
import subprocess
import sys
import tarfile
import zipfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "simgan-0.1.0"
# What the sdist must carry beyond the Python sources.
SDIST_FILES = ("LICENSE", "README.md", "CHANGELOG.md", "CITATION.cff", "pyproject.toml",
               "configs/quickstart.gin", "configs/simgan/eyes_paper.gin",
               "tools/vtt/templates/index.html", "tools/vtt/static/vtt.js",
               "plugins/ops/fused_local_adversarial.cc", "api/__init__.py")
# The quickstart cut to a few steps at batch 8, with one small evaluator.
SHORT = ("train.batch_size=8", "simgan.refiner_pretrain_steps=2",
         "simgan.discriminator_pretrain_steps=1", "simgan.iterations=2", "train.summary_every=1",
         "train.image_every=2", "train.checkpoint_every=2", "train.steps_per_call=1",
         "history.capacity_batches=2", "train.evaluators=['c2st']", "c2st.train_examples=32",
         "c2st.test_examples=32", "train_domain_classifier.steps=2")


def _check(command: list[str], **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_sdist_and_wheel_install_in_a_fresh_venv_and_train(tmp_path):
    dist = tmp_path / "dist"
    _check([sys.executable, "-m", "build", "--no-isolation", f"--outdir={dist}", REPO])
    with tarfile.open(dist / f"{NAME}.tar.gz") as sdist:
        names = set(sdist.getnames())
    assert {f"{NAME}/{path}" for path in SDIST_FILES} <= names
    wheel = dist / f"{NAME}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{NAME}.dist-info/METADATA").decode()
    for field in ("License-Expression: Apache-2.0", "Author: The simgan developers",
                  "Project-URL: Source, https://github.com/simgan/simgan",
                  "Description-Content-Type: text/markdown"):
        assert field in metadata

    venv = tmp_path / "venv"
    _check([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python, bin_dir = str(venv / "bin" / "python"), venv / "bin"
    _check([python, "-m", "pip", "install", "--no-index", "--disable-pip-version-check",
            str(wheel)])
    # Away from the repository and its editable install: the wheel's simgan is the one imported.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = _check([python, "-c", "import simgan, simgan.core; print(simgan.__version__, "
                    "simgan.__file__, simgan.core.__file__)"], cwd=tmp_path, env=env).split()
    assert where[0] == "0.1.0"
    assert all(path.startswith(str(venv)) for path in where[1:]), where

    model_dir = tmp_path / "run"
    _check([str(bin_dir / "simgan"), "train", "--gin_file=quickstart.gin",
            f"--model_dir={model_dir}", *(f"--gin_param={b}" for b in SHORT)],
           cwd=tmp_path, env=env)
    for output in ("config.gin", "export/refiner.keras", "evaluation.json",
                   "checkpoints/checkpoint", "grids/step_000002.png"):
        assert (model_dir / output).is_file(), sorted(os.listdir(model_dir))
