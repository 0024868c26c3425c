"""What a training run shows on the terminal: one Keras progress bar per stage (pretrain R,
pretrain D, adversarial) with the losses that stage trains, steps/s and the time left; and at
the end a table of the evaluation and where the outputs are."""

from __future__ import annotations

import sys
import time
from typing import Mapping, Sequence

import keras

from simgan.core.engine.task import Stage
from simgan.core.tables import markdown_table

STEPS_PER_SECOND = "steps/s"


class StageProgress:
    """A Keras `Progbar` for the stage holding the current step; a new bar per stage.

    ``stages``: the task's stages (core/engine/task.py), each with the metrics it shows."""

    def __init__(self, stages: Sequence[Stage], start: int, enabled: bool = True):
        self.stages = [(s.title, s.first, s.end) for s in stages]
        self.metrics = {s.title: s.metrics for s in stages}
        self.enabled = enabled
        self.bar: keras.utils.Progbar | None = None
        self.stage: tuple[str, int, int] | None = None
        self.clock, self.clock_step = time.time(), start

    def _stage_of(self, step: int) -> tuple[str, int, int]:
        return next(s for s in self.stages if s[1] <= step < s[2] or step == s[2] == self.stages[-1][2])

    def update(self, done: int, values: Mapping[str, float]) -> float:
        """Shows ``done`` steps with the stage's metrics; returns the steps/s since the last call."""
        now = time.time()
        rate = (done - self.clock_step) / max(now - self.clock, 1e-9)
        self.clock, self.clock_step = now, done
        if not self.enabled or not self.stages:
            return rate
        stage = self._stage_of(max(done - 1, 0))
        title, first, end = stage
        if stage != self.stage:
            self.stage = stage
            print(f"{title} (steps {first + 1}-{end})", file=sys.stdout, flush=True)
            shown = [*self.metrics.get(title, ()), STEPS_PER_SECOND]
            self.bar = keras.utils.Progbar(end - first, stateful_metrics=shown, interval=0.5)
        shown = [(k, values[k]) for k in self.metrics.get(title, ()) if k in values]
        self.bar.update(done - first, [(k, float(f"{v:.4g}"))
                                       for k, v in shown + [(STEPS_PER_SECOND, rate)]])
        return rate


def final_report(results: Mapping[str, float], paths: Mapping[str, str]) -> str:
    """The end-of-run summary: the evaluation as a Markdown table, then the output paths."""
    lines = []
    if results:
        lines += ["Evaluation:", markdown_table(
            ["metric", "value"], [[k, f"{v:.4g}"] for k, v in sorted(results.items())])]
    lines += [f"{name}: {path}" for name, path in paths.items()]
    return "\n".join(lines)
