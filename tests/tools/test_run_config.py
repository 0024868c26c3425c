"""tools/run_config.py: a run's plugins and config.gin read back before the user's gin, and its
export as the default refiner (simgan-eval and simgan-refine end to end: test_eval_tools.py,
test_refine.py)."""

import gin
import pytest

import simgan.core.engine.config  # noqa: F401  (registers `train`)
from simgan.configs import parsing
from simgan.tools import run_config


def _run_dir(tmp_path, config="train.task = 'cut'\n"):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.gin").write_text(config)
    return run


def test_the_run_config_comes_first_and_the_user_bindings_win(tmp_path):
    run = _run_dir(tmp_path, "train.task = 'cut'\ntrain.evaluators = ['c2st']\n")
    refiner = run_config.parse(model_dir=str(run), refiner_path=None, gin_files=[],
                               bindings=["train.task = 'simgan'"], plugin_modules=[])
    assert gin.query_parameter("train.task") == "simgan"  # the user's binding
    assert gin.query_parameter("train.evaluators") == ["c2st"]  # the run's
    assert refiner == str(run / "export" / "refiner.keras")


def test_a_given_refiner_replaces_the_run_export(tmp_path):
    run = _run_dir(tmp_path)
    refiner = run_config.parse(model_dir=str(run), refiner_path="other.keras", gin_files=[],
                               bindings=[], plugin_modules=[])
    assert refiner == "other.keras"


def test_without_a_model_dir_only_the_user_gin_is_parsed(tmp_path):
    refiner = run_config.parse(model_dir=None, refiner_path=None, gin_files=[],
                               bindings=["train.task = 'cut'"], plugin_modules=[])
    assert refiner is None and gin.query_parameter("train.task") == "cut"


@pytest.mark.parametrize("prefix", ["--", ""])
def test_a_folder_without_config_is_named_as_the_caller_names_it(tmp_path, prefix):
    with pytest.raises(FileNotFoundError,
                       match=f"^{prefix}model_dir '.*empty': no config.gin; is it a simgan-train"):
        (tmp_path / "empty").mkdir()
        run_config.parse(model_dir=str(tmp_path / "empty"), refiner_path=None, gin_files=[],
                         bindings=[], plugin_modules=[], prefix=prefix)


def test_an_unrecorded_plugin_is_named_by_the_caller_flag(tmp_path):
    run = _run_dir(tmp_path, "stripes.noise = 0.2\n")  # a plugin's component
    with pytest.raises(parsing.ConfigError, match="give the same plugins here"):
        run_config.parse(model_dir=str(run), refiner_path=None, gin_files=[], bindings=[],
                         plugin_modules=[], prefix="", plugin_flag="plugins")
