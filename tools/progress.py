"""What a training run prints on stdout: each stage of the schedule (pretrain R, pretrain D,
adversarial) under its own heading, with the losses that stage trains, steps/s and the time
left; at the end a short table of the evaluation and the outputs that exist.

On a terminal each stage gets a Keras progress bar. Anywhere else (a file or a pipe: nohup,
Slurm, CI), or with ``NO_COLOR`` set (https://no-color.org) or ``TERM=dumb``, each stage gets
plain lines in the manner of Keras' ``verbose=2``: one every ``interval`` seconds and one at its
end, ``adversarial 120/600 - refiner: total 0.6931 - 12.3 steps/s - ETA 39s``, without
colour, cursor or backspace codes.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Mapping, Sequence, TextIO

import keras
import tensorflow as tf

from simgan.core.engine.task import Stage
from simgan.io import report
from simgan.io.report import duration

STEPS_PER_SECOND = "steps/s"
TENSORBOARD = "TensorBoard"  # the entry of final_report's paths that is a log dir
PLAIN_INTERVAL_S = 10.0
BAR_INTERVAL_S = 0.5


def plain_output(stream: TextIO) -> bool:
    """Whether ``stream`` gets plain lines: it is not a terminal, ``NO_COLOR`` is set to
    anything but '' or ``TERM`` is ``dumb``."""
    isatty = getattr(stream, "isatty", None)
    return (not (isatty and isatty()) or bool(os.environ.get("NO_COLOR"))
            or os.environ.get("TERM") == "dumb")


class _Shown:
    """The stage on screen: where this process began showing it (step, time), what its last
    line showed, and the last values of its metrics."""

    def __init__(self, index: int, stage: tuple[str, int, int], step: int, now: float):
        self.index = index
        self.title, self.first, self.end = stage
        self.base = step - self.first  # steps of the stage done when it was shown
        self.start_time = self.line_time = now
        self.line_step = step
        self.values: list[tuple[str, float]] = []
        self.bar: keras.utils.Progbar | None = None

    def heading(self) -> str:
        resumed = f", resuming after step {self.first + self.base}" if self.base else ""
        return f"{self.title} (steps {self.first + 1}-{self.end}{resumed})"

    def line(self, done: int, now: float) -> str:
        """``<stage> <step>/<total> - <player>: <metric> <value>, ... - <rate> steps/s - ETA
        <t>``, the rate over the steps since the previous line; at the end the stage's time
        instead of the ETA. Metrics are grouped by the player their name starts with."""
        rate = (done - self.line_step) / max(now - self.line_time, 1e-9)
        players: dict[str, list[str]] = {}
        for key, value in self.values:
            player, _, name = key.rpartition("/")
            players.setdefault(player, []).append(f"{name} {value:.4g}")
        parts = [f"{self.title} {done - self.first}/{self.end - self.first}",
                 *(f"{player}: " * bool(player) + ", ".join(items)
                   for player, items in players.items()), f"{rate:.3g} {STEPS_PER_SECOND}"]
        parts.append(duration(now - self.start_time) if done >= self.end
                     else f"ETA {duration((self.end - done) / max(rate, 1e-9))}")
        self.line_time, self.line_step = now, done
        return " - ".join(parts)


class StageProgress:
    """Shows the run's progress by stage: ``update`` after each compiled call.

    ``stages``: the task's stages (core/engine/task.py), each with the metric names it shows;
    ``interval`` is the seconds between two plain lines of a stage. A stage is shown from the
    step the run starts at (a resumed run's bar counts the
    steps left, after a line saying where it resumes). A call that ran past the end of a stage closes it with the values of its last
    update inside it, and opens the next stage under its own heading.
    """

    def __init__(self, stages: Sequence[Stage], start: int, *,
                 interval: float = PLAIN_INTERVAL_S):
        self.stages = [(s.title, s.first, s.end) for s in stages]
        self.metrics = {s.title: s.metrics for s in stages}
        self.interval = interval
        self.plain = plain_output(sys.stdout)
        self.clock, self.clock_step = time.monotonic(), start
        self.shown: _Shown | None = None
        if start:
            self._print(f"Resuming at step {start} of {self.stages[-1][2]}")
        index = next((i for i, (_, first, end) in enumerate(self.stages)
                      if first <= start < end), None)
        if index is not None:
            self._open(index, start, self.clock)

    def _print(self, text: str) -> None:
        print(text, flush=True)

    def _open(self, index: int, step: int, now: float) -> None:
        """Prints the heading of stage ``index``, shown from ``step`` at time ``now``."""
        self.shown = _Shown(index, self.stages[index], step, now)
        self._print(self.shown.heading())
        if not self.plain:
            names = [*self.metrics.get(self.shown.title, ()), STEPS_PER_SECOND]
            self.shown.bar = keras.utils.Progbar(self.shown.end - step, interval=BAR_INTERVAL_S,
                                                 stateful_metrics=names)

    def _show(self, done: int, now: float, rate: float) -> None:
        """The bar or plain line of the open stage at ``done``; at its end, closes it and opens
        the next stage from time ``now``."""
        shown = self.shown
        if shown.bar is not None:
            shown.bar.update(done - shown.first - shown.base,
                             shown.values + [(STEPS_PER_SECOND, float(f"{rate:.4g}"))])
        elif done >= shown.end or now - shown.line_time >= self.interval:
            self._print(shown.line(done, now))
        if done >= shown.end:
            self.shown = None
            if shown.index + 1 < len(self.stages):
                self._open(shown.index + 1, shown.end, now)

    def update(self, done: int, values: Mapping[str, float]) -> float:
        """Shows ``done`` steps with the stage's metrics (those of ``values`` it lists); returns
        the steps/s since the last call."""
        now, before, step_before = time.monotonic(), self.clock, self.clock_step
        rate = (done - step_before) / max(now - before, 1e-9)
        self.clock, self.clock_step = now, done
        while self.shown is not None and done > self.shown.end:  # the call ran past its end:
            end = self.shown.end  # the call's steps are taken to have lasted alike
            self._show(end, before + (now - before) * (end - step_before) / (done - step_before),
                       rate)
        if self.shown is not None:
            names = self.metrics.get(self.shown.title, ())
            self.shown.values = [(k, float(values[k])) for k in names if k in values]
            self._show(done, now, rate)
        return rate


def final_report(results: Mapping[str, float], paths: Mapping[str, str]) -> str:
    """The end-of-run summary: the evaluation as a short aligned table (a row per metric, its
    spread beside it, refined relative to raw synthetic), then the outputs that exist.

    ``paths`` maps a name to a path; one that does not exist is left out. The ``TensorBoard``
    entry is a log dir, shown as the command that opens it."""
    existing = {name: path for name, path in paths.items() if tf.io.gfile.exists(path)}
    lines = []
    table = report.evaluation_table(results, align=True, change=True, other=False)
    if table:
        lines += [f"Evaluation ({report.NOTE}):", table]
    others = len(report.by_source(results)[1])
    if others:
        where = f" in {existing['evaluation']}" if "evaluation" in existing else ""
        lines.append(f"{others} other metric(s){where}")
    lines += [f"{name}: tensorboard --logdir={path}" if name == TENSORBOARD else f"{name}: {path}"
              for name, path in existing.items()]
    return "\n".join(lines)
