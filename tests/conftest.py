"""Shared fixtures. Tests may import the helpers beside this file: `toy_data` (a tiny registered
dataset) and `train_cli` (runs simgan-train as a subprocess)."""

import os
import sys

import gin
import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _clean_gin():
    """Each test starts and ends with no gin bindings."""
    gin.clear_config()
    yield
    gin.clear_config()
