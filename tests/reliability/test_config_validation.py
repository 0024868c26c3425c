"""Configuration is checked before anything is built: each bad `train.*` or `simgan.*` value or
component parameter is one line naming the binding, the expected type and the value; 0 turns
every interval off."""

import dataclasses
import os
import re
import typing

import pytest
import tensorflow as tf

from simgan.configs import parsing, validation
from simgan.core import registries
from simgan.core.engine.config import INTERVALS, TrainConfig
from simgan.plugins import loading
from train_cli import TOY_CONFIG, run_train, write_config


def _wrong_value(annotation):
    """A value of the wrong type for ``annotation``."""
    return 3 if annotation in (str, typing.Optional[str], typing.Sequence[str]) else "x"


FIELDS = typing.get_type_hints(TrainConfig)


@pytest.fixture(autouse=True)
def _plugins():
    loading.load_all()


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(TrainConfig)])
def test_every_train_field_of_the_wrong_type_is_one_line(field):
    value = _wrong_value(FIELDS[field])
    parsing.parse([], [f"train.{field} = {value!r}"])
    with pytest.raises(parsing.ConfigError) as error:
        validation.configured(TrainConfig, "train")
    message = str(error.value)
    assert message.startswith(f"train.{field}: expected ") and repr(value) in message
    assert "\n" not in message


@pytest.mark.parametrize("binding, expected", [
    ("train.batch_size = 0", "train.batch_size: expected an integer >= 1, got 0"),
    ("train.checkpoint_every = -1", "train.checkpoint_every: expected an integer >= 0 (0 turns"),
    ("train.keep_checkpoints = 0", "train.keep_checkpoints: expected an integer >= 1"),
    ("train.max_loss = 0.0", "train.max_loss: expected a number > 0"),
    ("resnet.num_blocks = 'x'", "resnet.num_blocks: expected int, got 'x' (str)"),
    ("synthetic/eye_simulator.height = 2.5", "synthetic/eye_simulator.height: expected int"),
    ("history.capacity_batches = '2'", "history.capacity_batches: expected int, got '2'"),
    ("data.batched.cache = 'yes'", "batched.cache: expected bool, got 'yes'"),
])
def test_out_of_range_values_and_bad_component_parameters_are_one_line(binding, expected):
    parsing.parse([], [binding])
    with pytest.raises(parsing.ConfigError, match=re.escape(expected)):
        validation.check_bindings(registries.components())
        validation.configured(TrainConfig, "train")


@pytest.mark.parametrize("binding, expected", [
    ("simgan.iterations = -1", "simgan.iterations: expected an integer >= 0, got -1"),
    ("simgan.refiner_pretrain_steps = 'x'", "simgan.refiner_pretrain_steps: expected"),
    ("simgan.refiner_objective = [('self_regularization', 2.0)]",
     "simgan.refiner_objective: expected Sequence[str]"),
])
def test_bad_task_values_are_one_line_naming_the_binding(tmp_path, binding, expected):
    result = run_train(tmp_path / "m", write_config(tmp_path), f"--gin_param={binding}")
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if "simgan-train: error" in l]
    assert len(errors) == 1 and expected in errors[0], result.stderr[-2000:]


def test_references_and_macros_are_left_to_gin():
    parsing.parse([], ["BLOCKS = 2", "resnet.num_blocks = %BLOCKS", "train.batch_size = 3"])
    validation.check_bindings(registries.components())
    assert validation.configured(TrainConfig, "train").batch_size == 3


def test_bad_binding_fails_in_the_cli_before_anything_is_written(tmp_path):
    model_dir = tmp_path / "model"
    result = run_train(model_dir, write_config(tmp_path), "--gin_param=resnet.num_blocks='x'")
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if "simgan-train: error" in l]
    assert errors == ["simgan-train: error: resnet.num_blocks: expected int, got 'x' (str)"]
    assert not model_dir.exists()


def test_zero_turns_every_interval_off(tmp_path):
    off = "".join(f"train.{name} = 0\n" for name in INTERVALS)
    model_dir = tmp_path / "model"
    result = run_train(model_dir, write_config(tmp_path, TOY_CONFIG + off))
    assert result.returncode == 0, result.stderr[-2000:]
    state = tf.train.get_checkpoint_state(str(model_dir / "checkpoints"))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["ckpt-18"]
    assert not (model_dir / "grids").exists() and "step 18/18" not in result.stderr
