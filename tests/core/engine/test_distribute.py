"""tf.distribute: the same global batch on 2 replicas (MirroredStrategy on two logical CPUs,
and MultiWorkerMirroredStrategy across two local worker processes) trains the same model as
on one replica, within float tolerance. The buffer is 'none' here because history buffers are
per replica by design (plugins/simgan/history.py), which changes which images D sees. The
refiner's weights are averaged (simgan.refiner_ema_decay), so the average's cross-replica
update is checked too."""

import json
import os
import socket
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, train_command, write_config

CONFIG = TOY_CONFIG + ("simgan.buffer = 'none'\ntrain.image_every = 0\n"
                       "simgan.refiner_ema_decay = 0.5\n")


def weights(model_dir):
    reader = tf.train.load_checkpoint(str(model_dir / "checkpoints"))
    return {name: reader.get_tensor(name)
            for name, dtype in reader.get_variable_to_dtype_map().items()
            if dtype.is_floating and ("_trainable_variables" in name
                                      or name.startswith("refiner_average/"))}


def assert_close(a, b):
    assert a.keys() == b.keys() and len(a) >= 10
    assert any(name.startswith("refiner_average/") for name in a)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=2e-3, atol=2e-5, err_msg=name)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("single")
    result = run_train(tmp / "m", write_config(tmp, CONFIG), "--seed=5")
    assert result.returncode == 0, result.stderr[-2000:]
    return weights(tmp / "m")


def test_mirrored_two_replicas_match_one(tmp_path, single):
    result = run_train(tmp_path / "m", write_config(tmp_path, CONFIG), "--seed=5",
                       "--strategy=mirrored", "--gin_param=train.cpu_devices=2", "--verbosity=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Strategy MirroredStrategy with 2 replicas" in result.stderr
    assert "Deterministic ops: True" in result.stderr  # the default on CPU
    # --verbosity gives the full log: the step lines with losses, rate and time left.
    assert "step 18/18" in result.stderr and "steps/s" in result.stderr and "left" in result.stderr
    assert tf.train.latest_checkpoint(str(tmp_path / "m" / "checkpoints")).endswith("ckpt-18")
    assert_close(weights(tmp_path / "m"), single)


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_multi_worker_two_processes_match_one(tmp_path, single):
    gin_file = write_config(tmp_path, CONFIG)
    workers = [f"127.0.0.1:{p}" for p in free_ports(2)]
    procs = []
    for index in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps(
            {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(
            train_command(tmp_path / "m", gin_file, "--seed=5", "--strategy=multi_worker",
                          "--verbosity=0"),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    errors = [p.communicate(timeout=300)[1] for p in procs]
    for p, err in zip(procs, errors):
        assert p.returncode == 0, err[-3000:]
    assert "with 2 replicas" in errors[0] and "with 2 replicas" in errors[1]
    assert_close(weights(tmp_path / "m"), single)
    assert not any(name.startswith(".worker_") for name in os.listdir(tmp_path / "m"))


def test_mirrored_two_replicas_from_pools_match_one(tmp_path):
    """Each replica trains on its slice of the batch drawn from the pools."""
    config = CONFIG + (f"train.synthetic_dataset = 'pool'\ntrain.real_dataset = 'pool'\n"
                       f"pool.dataset = 'toy_squares'\npool.cache_dir = '{tmp_path / 'cache'}'\n")
    gin_file = write_config(tmp_path, config)
    one = run_train(tmp_path / "one", gin_file, "--seed=5")
    two = run_train(tmp_path / "two", gin_file, "--seed=5", "--strategy=mirrored",
                    "--gin_param=train.cpu_devices=2", "--verbosity=0")
    assert one.returncode == 0, one.stderr[-2000:]
    assert two.returncode == 0, two.stderr[-2000:]
    assert "with 2 replicas" in two.stderr and "Pool of 64 elements" in two.stderr
    assert_close(weights(tmp_path / "two"), weights(tmp_path / "one"))
