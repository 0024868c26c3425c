"""Signals as io/interrupts.py handles them, in this process: raised at once, or held by a
`deferred` block until it ends (or until `check`), a second signal stopping at once, and an
ignored signal left ignored."""

import os
import signal

import pytest

from simgan.io import interrupts


@pytest.fixture
def installed():
    restore = interrupts.install()
    yield
    restore()


def _signal(signum):
    """Sends ``signum`` to this process; Python runs the handler before the next line."""
    os.kill(os.getpid(), signum)


def test_a_signal_raises_interrupted_with_128_plus_its_number(installed):
    with pytest.raises(interrupts.Interrupted) as stop:
        _signal(signal.SIGTERM)
    assert stop.value.exit_status == 143 and str(stop.value) == "SIGTERM"
    assert isinstance(stop.value, KeyboardInterrupt)  # unwinds like Ctrl-C


def test_a_deferred_block_finishes_before_the_signal_is_raised(installed):
    finished = []
    with pytest.raises(interrupts.Interrupted) as stop:
        with interrupts.deferred():
            with interrupts.deferred():  # nested: raised when the outermost ends
                _signal(signal.SIGINT)
                assert interrupts.requested()
            finished.append("inner")
            finished.append("outer")
    assert finished == ["inner", "outer"] and stop.value.exit_status == 130
    assert not interrupts.requested()


def test_check_is_a_safe_point_and_a_second_signal_stops_at_once(installed):
    with interrupts.deferred():
        interrupts.check()  # nothing held: goes on
        _signal(signal.SIGINT)
        with pytest.raises(interrupts.Interrupted):
            interrupts.check()
        _signal(signal.SIGINT)
        with pytest.raises(interrupts.Interrupted):
            _signal(signal.SIGTERM)  # one held, a second one: at once


def test_where_is_recorded_and_restore_puts_the_handlers_back():
    before = signal.getsignal(signal.SIGINT)
    restore = interrupts.install()
    interrupts.at("shard 3")
    assert interrupts.where() == "shard 3" and signal.getsignal(signal.SIGINT) is not before
    restore()
    assert signal.getsignal(signal.SIGINT) is before and interrupts.where() is None


def test_an_ignored_signal_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        restore = interrupts.install()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        restore()
    finally:
        signal.signal(signal.SIGINT, previous)
