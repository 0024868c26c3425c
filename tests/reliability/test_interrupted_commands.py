"""Ctrl-C (SIGINT) and SIGTERM sent to real `simgan-convert` and `simgan-eval` processes in the
middle of their work: one line saying where, exit status 128 + the signal, no traceback, no
partial file left, and the same command resumes the conversion to the shards an uninterrupted
run writes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

# A dataset slow enough to be interrupted (4 ms a record) and an evaluator that takes a
# minute, registered by a plugin file the commands load.
PLUGIN = """
import time
import numpy as np
import tensorflow as tf
from simgan.core.registries import DATASETS, EVALUATORS

@DATASETS.register("slow_noise")
def slow_noise(*, seed, num_examples=300):
    def records():
        rng = np.random.default_rng(seed)
        for _ in range(num_examples):
            time.sleep(0.004)
            yield {"image": rng.uniform(-1, 1, (6, 8, 1)).astype(np.float32)}

    dataset = tf.data.Dataset.from_generator(
        records, output_signature={"image": tf.TensorSpec((6, 8, 1), tf.float32)})
    return dataset.apply(tf.data.experimental.assert_cardinality(num_examples))

class Sleepy:
    def evaluate(self, refiner, step):
        time.sleep(60)
        return {}

@EVALUATORS.register("sleepy")
def sleepy(*, seed, output_dir, domains):
    return Sleepy()
"""


def _plugin(tmp_path):
    path = tmp_path / "slow_plugin.py"
    path.write_text(PLUGIN)
    return str(path)


def _convert(tmp_path, output_dir):
    return [sys.executable, "-m", "simgan.tools.convert", "--source=slow_noise",
            f"--plugin={_plugin(tmp_path)}", "--records_per_shard=100", "--progress_seconds=0",
            f"--output_dir={output_dir}"]


def _interrupt(command, signum, when):
    """Runs ``command``, sends ``signum`` once a line of its log contains ``when``; returns the
    exit status and the log (stdout and stderr together)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if when in line:
                process.send_signal(signum)
                break
        lines.append(process.communicate(timeout=120)[0])  # fails rather than hangs
        return process.returncode, "".join(lines)
    finally:
        process.kill()
        process.wait()


def _last_line(log):
    return log.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_conversion_says_where_and_resumes(tmp_path, signum, status):
    out = tmp_path / "out"
    code, log = _interrupt(_convert(tmp_path, out), signum, "shard-00000.tfrecord")
    name = signal.Signals(signum).name
    assert code == status, log[-3000:]
    assert "Traceback" not in log
    kept = json.loads((out / "manifest.json").read_text())
    assert not kept["complete"] and 1 <= len(kept["shards"]) < 3
    n = len(kept["shards"])
    assert _last_line(log) == (f"simgan-convert: interrupted by {name} at shard-0000{n}.tfrecord "
                               f"({100 * n} of 300 records kept); run the same command again to "
                               "resume")
    assert not [f for f in os.listdir(out) if f.endswith(".partial")]  # no half shard left
    if signum == signal.SIGTERM:
        return
    resumed = subprocess.run(_convert(tmp_path, out), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"Resuming after {len(kept['shards'])} shards" in resumed.stderr
    fresh = subprocess.run(_convert(tmp_path, tmp_path / "fresh"), capture_output=True, text=True,
                           timeout=300)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert json.loads((out / "manifest.json").read_text())["shards"] == json.loads(
        (tmp_path / "fresh" / "manifest.json").read_text())["shards"]


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_evaluation_says_which_evaluator(tmp_path, signum, status):
    command = [sys.executable, "-m", "simgan.tools.evaluate", f"--plugin={_plugin(tmp_path)}",
               "--gin_param=evaluation.evaluators = ['sleepy']",
               f"--output_dir={tmp_path / 'eval'}"]
    code, log = _interrupt(command, signum, "Running evaluator sleepy")
    assert code == status, log[-3000:]
    assert "Traceback" not in log
    assert _last_line(log) == (f"simgan-eval: interrupted by {signal.Signals(signum).name} at "
                               "evaluator 'sleepy'; run the same command again to start the "
                               "evaluation over")


def test_interrupt_while_a_command_is_still_importing_is_one_line(tmp_path):
    """Ctrl-C during the seconds TensorFlow takes to import: one line, no import traceback."""
    process = subprocess.Popen([sys.executable, "-m", "simgan.tools.train",
                                f"--model_dir={tmp_path / 'm'}", "--gin_file=quickstart.gin"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Signal once TensorFlow's libraries are loading (seen in the process's memory map), so
    # the interrupt lands in the import however loaded the machine is.
    maps, deadline = f"/proc/{process.pid}/maps", time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        with open(maps) as f:
            if "libtensorflow_framework" in f.read():
                break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    log = process.communicate(timeout=120)[0]
    assert process.returncode == 130, log[-2000:]
    assert "Traceback" not in log
    assert "interrupted by SIGINT at start-up (importing TensorFlow); nothing was written" in \
        _last_line(log)
    assert not (tmp_path / "m" / "checkpoints").exists()
