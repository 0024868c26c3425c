"""Ctrl-C (SIGINT) and SIGTERM for every command: stop cleanly, say where, exit 128 + signal.

`cli.run` installs the handlers for the whole run of a binary. A signal raises `Interrupted`
(a KeyboardInterrupt) in the main thread, so `finally` blocks and context managers unwind as for
Ctrl-C (a lock is released, an atomic write deletes its temporary file); `cli.run` then prints
one line, ``simgan-<cmd>: interrupted by SIGINT at <where>; run the same command again to
resume``, without a traceback, and exits with 130 (SIGINT) or 143 (SIGTERM), the statuses a
shell gives a process that a signal ended. Result files are written atomically, so whatever was
finished is kept and the same command resumes from it.

A block that must not be cut (a shard and its manifest entry, a checkpoint and its index) runs
under `deferred()`: a signal arriving inside it is held and raised when the block ends. A loop
that runs under `deferred()` calls `check()` at its safe points (or `requested()` to save before
stopping). A second signal while one is held stops at once. `at(where)` records what the
command is doing, for the line. Only the main thread gets signals, so deferral is main-thread
only; a signal that was ignored when the command started (``nohup``, ``&`` in a script) stays
ignored.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Callable, Iterator

from absl import logging

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = {"where": None, "depth": 0, "held": None}


class Interrupted(KeyboardInterrupt):
    """A command was stopped by ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal number: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


def at(where: str | None) -> None:
    """Records what the command is doing now (e.g. ``step 120``, ``shard 3``), for the line."""
    _state["where"] = where


def where() -> str | None:
    """What `at` last recorded (None if nothing)."""
    return _state["where"]


def _handle(signum: int, frame) -> None:  # pylint: disable=unused-argument
    if _state["depth"] and _state["held"] is None:
        _state["held"] = signum
        logging.warning("%s received: stopping at the next safe point (send it again to stop "
                        "at once)", signal.Signals(signum).name)
        return
    _state["held"] = None
    raise Interrupted(signum)


def install() -> Callable[[], None]:
    """Handles SIGINT and SIGTERM by raising `Interrupted` (main thread only); returns the
    function that puts the previous handlers back. Ignored signals stay ignored."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, _handle)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _state.update(where=None, depth=0, held=None)

    return restore


def requested() -> bool:
    """Whether a signal arrived during a `deferred` block and waits for a safe point."""
    return _state["held"] is not None


def check() -> None:
    """A safe point: raises `Interrupted` if a signal is held."""
    signum = _state["held"]
    if signum is not None:
        _state["held"] = None
        raise Interrupted(signum)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Holds SIGINT/SIGTERM while the block runs (main thread); raises `Interrupted` when the
    outermost block ends normally if one arrived. Blocks may nest."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
    if not _state["depth"]:
        check()
