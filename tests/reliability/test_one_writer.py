"""One writer per directory: a second simgan-train (or conversion, or ablation summary) aimed
at a directory in use is refused with the holder's PID; the lock dies with its holder."""

import os
import signal
import subprocess
import sys
import time

import gin
import numpy as np
import pytest

import simgan.plugins.eyes  # noqa: F401  (registers the readers)
from simgan.io import lock
from simgan.tools import converting
from train_cli import TOY_CONFIG, run_train, train_command, write_config

HOLD = ("import sys, time; from simgan.io import lock\n"
        "with lock.hold(sys.argv[1], '--dir'):\n"
        "    print('held', flush=True); time.sleep(120)\n")


@pytest.fixture
def held(tmp_path):
    """A child process holding the lock of tmp_path/'held'; yields (directory, process)."""
    directory = str(tmp_path / "held")
    child = subprocess.Popen([sys.executable, "-c", HOLD, directory], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "held"
    yield directory, child
    child.kill()
    child.wait()


def test_second_training_in_one_model_dir_is_refused_and_kill_releases(tmp_path):
    gin_file = write_config(tmp_path, TOY_CONFIG.replace("simgan.iterations = 4",
                                                         "simgan.iterations = 2000"))
    model_dir = tmp_path / "model"
    first = subprocess.Popen(train_command(model_dir, gin_file), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        lock_file = model_dir / lock.LOCK_FILE
        deadline = time.time() + 120
        while time.time() < deadline and not (lock_file.exists() and lock_file.read_text()):
            time.sleep(0.05)
        second = run_train(model_dir, gin_file)
        assert first.poll() is None, "the first run ended before the second started"
        assert second.returncode == 1
        errors = [l for l in second.stderr.splitlines() if "simgan-train: error" in l]
        assert len(errors) == 1 and f"PID {first.pid}" in errors[0] and "in use" in errors[0]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    with lock.hold(str(model_dir), "--model_dir"):  # the kernel released the killed run's lock
        pass


def test_lock_names_the_holder_and_is_released_when_it_is_killed(held):
    directory, child = held
    with pytest.raises(lock.DirectoryInUseError, match=f"PID {child.pid}"):
        with lock.hold(directory, "--dir"):
            pass
    child.send_signal(signal.SIGKILL)
    child.wait()
    with lock.hold(directory, "--dir"):
        pass


def test_conversion_into_a_folder_in_use_is_refused(held, tmp_path):
    directory, child = held
    path = str(tmp_path / "a.npy")
    np.save(path, np.zeros((4, 36, 60), np.uint8))
    gin.bind_parameter("image_array.path", path)
    with pytest.raises(lock.DirectoryInUseError, match=f"--output_dir .*PID {child.pid}"):
        converting.convert("image_array", directory)
    assert sorted(os.listdir(directory)) == [lock.LOCK_FILE]


def test_a_waiting_writer_gets_the_lock_when_the_holder_dies(held):
    """How simgan-ablate writes a summary while another runner of the grid writes its own."""
    directory, child = held
    started = time.time()
    killer = subprocess.Popen([sys.executable, "-c",
                               f"import os, time; time.sleep(1); os.kill({child.pid}, 9)"])
    with lock.hold(directory, "--root", wait=True):
        assert time.time() - started >= 0.9 and child.wait(timeout=5) == -signal.SIGKILL
    killer.wait()
