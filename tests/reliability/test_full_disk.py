"""A write that fails as on a full disk names the file it was writing: a result file (here
evaluation.json, as the trainer appends to it) keeps its previous version and leaves no
temporary file, and `simgan-convert` says the writing failed, not the reading, removes its half
shard and resumes once there is room.

The failing writes are real: the child process runs under a file-size limit (RLIMIT_FSIZE),
so the kernel refuses a write past it with EFBIG ("File too large") as it refuses one on a full
disk with ENOSPC; both reach the code as the same OSError or TensorFlow error.
"""

import json
import os
import resource
import subprocess
import sys

import numpy as np

LIMIT = 20_000  # bytes any file of the child may reach


def _limited():
    """In the child before exec: no file may grow past LIMIT (Python ignores SIGXFSZ)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))


APPEND = """
import sys
from simgan.io import evaluation_file
evaluation_file.append_results(sys.argv[1], 20, {f"metric_{i}": 0.5 for i in range(2000)})
"""


def test_a_result_file_that_cannot_be_written_is_named_and_kept(tmp_path):
    path = tmp_path / "evaluation.json"
    path.write_text('[{"step": 10, "metric_0": 1.0}]')
    result = subprocess.run([sys.executable, "-c", APPEND, str(path)], capture_output=True,
                            text=True, timeout=120, preexec_fn=_limited)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last == (f"simgan.io.files.WriteError: Writing {path} failed: File too large; free "
                    "some space or fix the folder, then run the same command again"), last
    assert path.read_text() == '[{"step": 10, "metric_0": 1.0}]'
    assert os.listdir(tmp_path) == ["evaluation.json"]  # no temporary file left


def _convert(source, output_dir):
    return [sys.executable, "-m", "simgan.tools.convert", "--source=image_array",
            f"--gin_param=image_array.path = '{source}'", "--records_per_shard=20",
            f"--output_dir={output_dir}"]


def test_a_full_disk_during_conversion_blames_the_writing_and_resumes(tmp_path):
    source = tmp_path / "images.npy"  # 60 images: 3 shards of 20 x 35 x 55 bytes = 38.5 kB
    np.save(source, np.random.default_rng(0).integers(0, 256, (60, 36, 60), dtype=np.uint8))
    out = tmp_path / "out"
    full = subprocess.run(_convert(source, out), capture_output=True, text=True, timeout=300,
                          preexec_fn=_limited)
    assert full.returncode == 1, full.stderr[-3000:]
    errors = [line for line in full.stderr.splitlines() if "error" in line]
    assert errors == [f"simgan-convert: error: Writing {out}/shard-00000.tfrecord failed: File "
                      "too large; free some space or fix the folder, then run the same command "
                      "again"], full.stderr[-3000:]
    assert "Traceback" not in full.stderr and "Reading" not in full.stderr
    assert not [f for f in os.listdir(out) if f.startswith("shard") or f.endswith(".partial")]
    resumed = subprocess.run(_convert(source, out), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["records"] == 60
