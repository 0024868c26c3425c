"""The process a training command sets up: op determinism's default and the strategy by name."""

import pytest
import tensorflow as tf

from simgan.tools import process


def test_determinism_is_on_by_default_on_cpu_and_can_be_turned_off():
    assert process.resolve_determinism(None) is True
    assert process.resolve_determinism(False) is False


def test_xla_turns_the_determinism_default_off_and_refuses_it_asked_for():
    assert process.resolve_determinism(None, jit_compile=True) is False
    assert process.resolve_determinism(False, jit_compile=True) is False
    with pytest.raises(ValueError, match="train.deterministic.*train.jit_compile"):
        process.resolve_determinism(True, jit_compile=True)


def test_strategy_by_name():
    default = process.strategy("default")
    assert isinstance(default, tf.distribute.OneDeviceStrategy)
    assert default.num_replicas_in_sync == 1
    assert isinstance(process.strategy("mirrored"), tf.distribute.MirroredStrategy)
    with pytest.raises(ValueError, match="--strategy: expected one of default, mirrored, "
                                         "multi_worker, got 'tpu'"):
        process.strategy("tpu")
