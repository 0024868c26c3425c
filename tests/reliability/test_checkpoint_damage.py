"""A damaged latest checkpoint (truncated, bit-flipped, half-written, lost index) never stops a
resume an older checkpoint can serve; a failed save (a full disk) leaves the run resumable."""

import glob
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from simgan.io.checkpoint import Checkpointer, CheckpointError
from train_cli import TOY_CONFIG, run_train, write_config


def _checkpointer(model_dir, value):
    return Checkpointer(str(model_dir), str(model_dir), max_to_keep=3, value=value)


@pytest.fixture
def three_checkpoints(tmp_path):
    """ckpt-1..3 in tmp_path/checkpoints; each holds a vector filled with its number."""
    value = tf.Variable(tf.zeros([256]))
    saver = _checkpointer(tmp_path, value)
    for step in (1, 2, 3):
        value.assign(tf.fill([256], float(step)))
        saver.save(step)
    value.assign(tf.zeros([256]))
    return tmp_path, value


def _data_file(model_dir, step):
    return glob.glob(str(model_dir / "checkpoints" / f"ckpt-{step}.data-*"))[0]


def _restore(model_dir, value, caplog):
    caplog.set_level("WARNING", logger="absl")
    path = _checkpointer(model_dir, value).restore_latest()
    return path, float(value.numpy()[0]), caplog.text


def test_truncated_latest_falls_back_to_the_previous(three_checkpoints, caplog):
    model_dir, value = three_checkpoints
    data = _data_file(model_dir, 3)
    with open(data, "r+b") as f:
        f.truncate(os.path.getsize(data) // 2)
    path, restored, log = _restore(model_dir, value, caplog)
    assert path.endswith("ckpt-2") and restored == 2.0
    assert "ckpt-3 is damaged" in log


def test_bit_flipped_latest_falls_back_to_the_previous(three_checkpoints, caplog):
    model_dir, value = three_checkpoints
    data = _data_file(model_dir, 3)
    raw = bytearray(open(data, "rb").read())
    for i in range(200):
        raw[100 + i] ^= 0xFF
    open(data, "wb").write(bytes(raw))
    path, restored, log = _restore(model_dir, value, caplog)
    assert path.endswith("ckpt-2") and restored == 2.0 and "Checksum" in log


def test_half_written_save_and_lost_index_are_survived(three_checkpoints, caplog):
    model_dir, value = three_checkpoints
    directory = model_dir / "checkpoints"
    (directory / "ckpt-4.index").write_bytes(b"\x00" * 10)  # a save killed midway
    (directory / "checkpoint").write_text("garbage {{{")  # the index itself damaged
    path, restored, log = _restore(model_dir, value, caplog)
    assert path.endswith("ckpt-3") and restored == 3.0 and "ckpt-4 is damaged" in log


def test_every_checkpoint_damaged_is_one_line_naming_them(three_checkpoints):
    model_dir, value = three_checkpoints
    for step in (1, 2, 3):
        with open(_data_file(model_dir, step), "r+b") as f:
            f.truncate(10)
    with pytest.raises(CheckpointError) as error:
        _checkpointer(model_dir, value).restore_latest()
    message = str(error.value)
    assert "\n" not in message and all(f"ckpt-{s}" in message for s in (1, 2, 3))
    assert "Move the checkpoints folder away" in message


FULL_DISK = """
import resource, signal, sys
import tensorflow as tf
from simgan.io.checkpoint import Checkpointer
value = tf.Variable(tf.fill([4096], 1.0))
saver = Checkpointer(sys.argv[1], sys.argv[1], value=value)
saver.save(1)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
value.assign(tf.fill([4096], 2.0))
try:
    saver.save(2)
except Exception as e:
    print(type(e).__name__, e)
"""


def test_a_save_that_fails_midway_leaves_the_previous_checkpoint(tmp_path, caplog):
    """A file-size limit makes the second save's writes fail as a full disk would."""
    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    lines = [l for l in result.stdout.splitlines() if l.startswith("CheckpointSaveError")]
    assert len(lines) == 1 and "step 2" in lines[0] and "ckpt-1" in lines[0], result.stdout
    value = tf.Variable(tf.zeros([4096]))
    path, restored, _ = _restore(tmp_path, value, caplog)
    assert path.endswith("ckpt-1") and restored == 1.0


def _weights(reader):
    return {name: reader.get_tensor(name)
            for name, dtype in reader.get_variable_to_dtype_map().items() if dtype.is_floating}


def test_training_resumes_past_a_truncated_latest_to_identical_weights(tmp_path):
    gin_file = write_config(tmp_path, TOY_CONFIG + "train.checkpoint_every = 3\n"
                            "train.image_every = 0\n")
    model_dir = tmp_path / "model"
    first = run_train(model_dir, gin_file, "--seed=3")
    assert first.returncode == 0, first.stderr[-2000:]
    finished = _weights(tf.train.load_checkpoint(str(model_dir / "checkpoints" / "ckpt-18")))
    with open(_data_file(model_dir, 18), "r+b") as f:
        f.truncate(100)
    resumed = run_train(model_dir, gin_file, "--seed=3")  # ckpt-18 damaged: redo 15 -> 18
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "ckpt-18 is damaged" in resumed.stderr and "Resuming at step 15" in resumed.stdout + resumed.stderr
    again = _weights(tf.train.load_checkpoint(str(model_dir / "checkpoints" / "ckpt-18")))
    assert finished.keys() == again.keys() and len(finished) > 10
    for name in finished:
        np.testing.assert_array_equal(finished[name], again[name], err_msg=name)


def test_a_checkpoint_of_another_model_is_one_error_naming_it(three_checkpoints):
    """Readable checkpoints that lack a variable of this run's model (another version's or
    configuration's model) stop the resume with one error, instead of being taken as damaged."""
    model_dir, value = three_checkpoints
    other = Checkpointer(str(model_dir), str(model_dir), value=value, extra=tf.Variable(1.0))
    with pytest.raises(CheckpointError, match=r"ckpt-3: does not fit this run's model, so the "
                                              r"run cannot resume from it \(AssertionError: "):
        other.restore_latest()
    assert len(glob.glob(str(model_dir / "checkpoints" / "ckpt-*.index"))) == 3  # kept
