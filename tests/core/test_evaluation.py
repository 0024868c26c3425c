"""The evaluator contract's shared helpers (core/evaluation.py)."""

from simgan.core.evaluation import split_key


def test_split_key_is_plain_on_test_and_prefixed_elsewhere():
    assert split_key("test", "accuracy") == "accuracy"
    assert split_key("validation", "accuracy") == "validation_accuracy"
    assert split_key("validation", "mse_std") == "validation_mse_std"
