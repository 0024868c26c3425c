"""Shared fixtures. Tests may import the helpers beside this file: `toy_data` (a tiny registered
dataset) and `train_cli` (runs simgan-train as a subprocess)."""

import os
import signal
import sys

import gin
import pytest

# The installed package, bound before collection: pytest puts a test folder without
# __init__.py on sys.path (tests/plugins for tests/plugins/test_loading.py), where the folder
# tests/plugins/simgan would otherwise be imported as a namespace package named `simgan` by the
# first `import simgan` after it (then `simgan.train` is missing), ahead of an editable install.
import simgan  # pylint: disable=unused-import

sys.path.insert(0, os.path.dirname(__file__))

# A shell that starts pytest in the background (`pytest &`, nohup) makes it ignore SIGINT, and
# an ignored signal stays ignored in every process it starts, so the tests that press Ctrl-C on
# a command would wait on a process that never hears it. Give them the disposition a user's
# terminal gives: the children then install Python's own handler at start.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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
