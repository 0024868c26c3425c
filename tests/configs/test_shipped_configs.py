"""Every shipped gin file parses against the registered components, and the README's
quickstart config trains end to end (shortened here)."""

import glob
import logging
import os

import gin
import pytest

from simgan import configs
from simgan.configs import parsing
from simgan.core.engine.config import TrainConfig
from simgan.plugins import loading
from train_cli import run_train

SHIPPED = sorted(os.path.relpath(p, configs.path())
                 for p in glob.glob(os.path.join(configs.path(), "**", "*.gin"), recursive=True))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_parses_without_false_path_errors(name, caplog):
    loading.load_all()
    with caplog.at_level(logging.INFO):
        parsing.parse([name], [])
    TrainConfig()  # every train.* binding names a real field
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_missing_gin_file_and_old_style_include_are_clear_errors(tmp_path):
    with pytest.raises(parsing.ConfigError, match="no_such.gin': no such file"):
        parsing.parse(["no_such.gin"], [])
    old = tmp_path / "old.gin"
    old.write_text("include 'simgan/eyes_paper.gin'\n")
    with pytest.raises(parsing.ConfigError, match="include 'simgan/configs/simgan/eyes_paper.gin'"):
        parsing.parse([str(old)], [])


def test_paper_config_holds_the_paper_values():
    loading.load_all()
    parsing.parse(["simgan/eyes_paper.gin"], [])
    assert TrainConfig().batch_size == 512
    q = lambda name: gin.query_parameter(f"simgan.{name}")
    assert (q("refiner_pretrain_steps"), q("discriminator_pretrain_steps")) == (1000, 200)
    assert (q("refiner_steps_per_iteration"), q("discriminator_steps_per_iteration")) == (2, 1)
    assert gin.query_parameter("resnet.num_blocks") == 4
    assert gin.query_parameter("refiner/sgd.learning_rate") == 0.001


def test_quickstart_trains_with_the_simulator(tmp_path):
    result = run_train(tmp_path / "qs", "quickstart.gin", "--gin_param=simgan.refiner_pretrain_steps=2",
                       "--gin_param=simgan.discriminator_pretrain_steps=1",
                       "--gin_param=simgan.iterations=1", "--gin_param=train.batch_size=4",
                       "--gin_param=train.image_every=2", "--gin_param=train.evaluators=[]")
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.path.exists(tmp_path / "qs" / "export" / "refiner.keras")
    assert os.path.exists(tmp_path / "qs" / "grids" / "step_000006.png")


@pytest.mark.parametrize("name", ["simgan/eyes_paper_gpu.gin", "ablations/base/paper.gin"])
def test_gpu_paper_configs_ask_for_pools(name):
    loading.load_all()
    parsing.parse([name], [])
    c = TrainConfig()
    assert (c.synthetic_dataset, c.real_dataset, c.batch_size) == ("pool", "pool", 512)
    assert gin.query_parameter("synthetic/pool.dataset") == "eye_simulator"
    assert gin.query_parameter("pool.size") == 100000


@pytest.mark.parametrize("files, style", [
    (["quickstart.gin"], 4), (["simgan/eyes_experiment.gin"], 4),
    (["simgan/eyes_mpiigaze_real_cpu.gin"], 0),
    (["quickstart.gin", "ablations/no_style.gin"], 0)])
def test_the_cpu_model_has_a_style_code_and_no_style_removes_it(files, style):
    """eyes_cpu.gin's refiner takes a style code with the diversity term (docs/ROBUSTNESS.md);
    the real-eye config and ablations/no_style.gin give the paper's deterministic refiner."""
    loading.load_all()
    parsing.parse(files, [])
    objective = gin.query_parameter("simgan.refiner_objective")
    assert gin.query_parameter("resnet.style_channels") == style
    assert ("diversity" in objective) == bool(style)
    assert objective[:2] == ["local_adversarial", "self_regularization"]
