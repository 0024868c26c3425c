"""Model-dir I/O goes through tf.io.gfile: a run writes the same files to a local folder and to
TensorFlow's in-memory filesystem (as it would to gs://), and resumes from there."""

import gin
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.io import evaluation_file, exported
from simgan.plugins import loading
from train_cli import TOY_CONFIG

loading.load_all()


def _train(model_dir: str) -> Engine:
    gin.clear_config()
    gin.parse_config(TOY_CONFIG + "simgan.iterations = 1\ntrain.image_every = 2\n")
    engine = Engine(TrainConfig(), model_dir, 1, tf.distribute.OneDeviceStrategy("/cpu:0"))
    engine.train()
    return engine


@pytest.mark.parametrize("filesystem", ["local", "ram"])
def test_run_writes_its_model_dir_through_gfile(tmp_path, filesystem):
    model_dir = str(tmp_path / "m") if filesystem == "local" else f"ram://{tmp_path.name}/m"
    engine = _train(model_dir)
    for name in ("operative_config.gin", "config.gin", "checkpoints/checkpoint"):
        assert tf.io.gfile.exists(f"{model_dir}/{name}"), name
    assert tf.io.gfile.glob(f"{model_dir}/events.out.tfevents*")
    assert tf.io.gfile.exists(f"{model_dir}/grids/step_000000.png")
    assert exported.load(f"{model_dir}/{exported.EXPORT_PATH}").output_shape == (None, 8, 12, 1)
    evaluation_file.append_results(f"{model_dir}/evaluation.json", 9, {"x": 1.0})
    assert evaluation_file.load_results(f"{model_dir}/evaluation.json") == [{"step": 9, "x": 1.0}]
    resumed = _train(model_dir)  # restores the finished run from the same filesystem
    assert int(resumed.step.numpy()) == engine.task.total_steps()
