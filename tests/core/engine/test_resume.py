"""A SIGKILLed run resumes from its last checkpoint and ends with the same weights as an
uninterrupted run with the same seed (CPU)."""

import signal
import subprocess
import time

import numpy as np
import pytest
import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, train_command, train_here, write_config

# Long enough that the run is still going when its first checkpoint (step 10) appears.
LONG = TOY_CONFIG.replace("simgan.iterations = 4", "simgan.iterations = 40") + \
    "train.checkpoint_every = 10\ntrain.summary_every = 10\ntrain.image_every = 0\n"


def final_weights(model_dir):
    reader = tf.train.load_checkpoint(str(model_dir / "checkpoints"))
    return {name: reader.get_tensor(name)
            for name, dtype in reader.get_variable_to_dtype_map().items()
            if dtype.is_floating or dtype.is_integer}


@pytest.mark.parametrize("staged", [False, pytest.param(True, marks=pytest.mark.slow)],
                         ids=["host", "staged_on_device"])
def test_killed_run_resumes_to_identical_weights(tmp_path, staged):
    gin_file = write_config(tmp_path, LONG + f"train.prefetch_to_device = {staged}\n")
    # The uninterrupted run in this process (simgan.train gives the command's weights); the
    # killed and resumed ones are the command.
    train_here(tmp_path / "straight", gin_file, seed=7)

    killed_dir = tmp_path / "killed"
    proc = subprocess.Popen(train_command(killed_dir, gin_file, "--seed=7"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if tf.train.latest_checkpoint(str(killed_dir / "checkpoints")):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    interrupted_at = tf.train.latest_checkpoint(str(killed_dir / "checkpoints"))
    total = 4 + 2 + 40 * 3
    assert interrupted_at is not None and not interrupted_at.endswith(f"ckpt-{total}")

    resumed = run_train(killed_dir, gin_file, "--seed=7")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resuming at step" in resumed.stdout + resumed.stderr
    a, b = final_weights(tmp_path / "straight"), final_weights(killed_dir)
    assert a.keys() == b.keys() and len(a) > 10
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_different_seeds_give_different_weights(tmp_path):
    # Refiner pretraining only: the seed's effect on the weights shows from the first steps.
    gin_file = write_config(tmp_path, TOY_CONFIG + "simgan.discriminator_pretrain_steps = 0\n"
                            "simgan.iterations = 0\ntrain.image_every = 0\n")
    for seed in (1, 2):
        train_here(tmp_path / f"s{seed}", gin_file, seed=seed)
    a, b = final_weights(tmp_path / "s1"), final_weights(tmp_path / "s2")
    name = "refiner_optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE"
    assert not np.array_equal(a[name], b[name])
