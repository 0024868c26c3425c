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


_EXIT_STATUS = []


def pytest_sessionfinish(session, exitstatus):
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Ends the process once pytest has reported everything. The interpreter's own shutdown can
    deadlock in TensorFlow: garbage-collecting a traced function that holds a live tf.data
    iterator waits forever on the iterator's threads (seen after the full suite: the summary
    was printed, then the process hung in Py_FinalizeEx). Nothing is left to run by then."""
    if _EXIT_STATUS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[0])
