"""Training health: a collapsed or runaway game is caught by the loop, not left to the eye.

Symptoms, read at every summary step:
- ``discriminator_wins``: the discriminator classifies both real and generated images with
  accuracy above ``accuracy`` for ``window`` steps in a row (the generator gets no gradient to
  learn from; the usual start of a collapse on small real sets, Karras et al. 2020, Sec. 2);
- ``collapsed_output``: the generator's outputs for the preview inputs barely differ from one
  another (their spread across inputs is below ``spread`` times the inputs' spread): the same
  image for every input (mode collapse);
- ``saturated_output``: over ``saturation`` of the generated pixels sit within ``1 - limit``
  of the range limits (images in [-1, 1]) while the inputs' do not, for ``window`` steps in a
  row, as a saturated spell can pass (these two judge a generator in the game: its adversarial
  metrics absent mark its pretraining);
- ``adversarial_runaway``: for ``window`` steps the discriminator rejects over ``rejected`` of
  the generated images, the generator's adversarial loss stays above ``runaway`` times its
  lowest value, and its content terms (self-regularization, PatchNCE) change by less than
  ``flat`` of their value: the discriminator pulls away and the generator has stopped
  answering (issue 19's collapse: 13 -> 37 with self-regularization flat).
With ``train.health = 'stop'`` the run ends non-zero with one line naming the symptom, the step
and what to try, keeping the newest checkpoint saved before the symptom began (a windowed one
builds for ``window`` steps) and its export; 'warn' logs the line and goes on. Every symptom is
recorded in TensorBoard (``health/*``, with the spread ratio and saturated share read) and
evaluation.json.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf
from absl import logging
from simgan.core import registry
from simgan.io import evaluation_file, files

ADVICE = {
    "discriminator_wins": "a stronger history buffer, fewer discriminator steps (Kd), a lower "
                          "discriminator learning rate, spectral normalization or augmentation "
                          "of the discriminator's inputs (docs/ROBUSTNESS.md)",
    "collapsed_output": "a lower refiner learning rate, float32 instead of bfloat16, or a larger "
                        "self-regularization weight (a smaller one, or resnet.residual_output "
                        "= True, if pretraining never learned the identity)",
    "saturated_output": "a larger self-regularization weight or a lower refiner learning rate",
    "adversarial_runaway": "fewer discriminator steps (Kd), a lower discriminator learning rate, "
                           "a stronger history buffer or augmentation of the discriminator's "
                           "inputs (docs/ROBUSTNESS.md)",
}


class TrainingUnhealthyError(RuntimeError):
    """The game collapsed or ran away (train.health = 'stop')."""


@dataclasses.dataclass(frozen=True)
class Signals:
    """The metric names a task offers the checks (any may be None or empty)."""

    accuracy_real: str | None = None
    accuracy_generated: str | None = None
    adversarial: tuple[str, ...] = ()
    content: tuple[str, ...] = ()


@registry.configurable("health")
@dataclasses.dataclass
class Thresholds:
    """When a symptom counts (module docstring); set so that none of 77 healthy runs' curves
    and 126 runs' grids is flagged (docs/ROBUSTNESS.md, "Training health")."""

    accuracy: float = 0.995
    window: int = 300
    spread: float = 0.05
    saturation: float = 0.5
    limit: float = 0.95
    runaway: float = 2.5
    flat: float = 0.5
    rejected: float = 0.95


class Monitor:
    """Watches one run; ``mode`` is ``train.health``."""

    def __init__(self, mode: str, task):
        self.mode, self.task = mode, task
        self.thresholds = Thresholds()
        self.signals = task.health_signals() if hasattr(task, "health_signals") else Signals()
        self.streaks: dict[str, int] = {}  # a windowed symptom's name -> the step it began
        self.lowest_adversarial = float("inf")
        self.runaway_since: tuple[int, float | None] | None = None  # (step, content then)
        self.symptom: tuple[str, int, str, int] | None = None  # (name, step, detail, since)
        self.pretrained_collapsed: int | None = None  # a pretraining step with one output

    def _runaway(self, step: int, values: dict[str, float]) -> list[tuple[str, str, int]]:
        """The adversarial-runaway symptom (no adversarial metrics: G's pretraining)."""
        t, names = self.thresholds, self.signals.adversarial
        if not names or not all(n in values for n in names):
            return []
        adversarial = sum(values[n] for n in names)
        content = (sum(values[n] for n in self.signals.content)
                   if self.signals.content and all(n in values for n in self.signals.content)
                   else None)
        generated = self.signals.accuracy_generated
        rejected = generated is None or values.get(generated, 0.0) > t.rejected
        self.lowest_adversarial = min(self.lowest_adversarial, adversarial)
        if not (rejected and adversarial > t.runaway * self.lowest_adversarial):
            self.runaway_since = None
            return []
        if self.runaway_since is None:
            self.runaway_since = (step, content)
        since, before = self.runaway_since
        if content is not None and before is not None and \
                abs(content - before) > t.flat * abs(before):
            self.runaway_since = (step, content)  # the generator still moves: not this symptom
            return []
        if step - since < t.window:
            return []
        return [("adversarial_runaway", f"adversarial loss {adversarial:.4g} against its lowest "
                                        f"{self.lowest_adversarial:.4g}, generated images "
                                        f"rejected, since step {since}", since)]

    def _symptoms(self, step: int, values: dict[str, float],
                  outputs: dict[str, float]) -> list[tuple[str, str, int]]:
        """Each symptom found: (name, detail, the step it began), from the metrics of the phases
        that ran since the last summary (``values``) and the outputs' statistics."""
        t, found = self.thresholds, self._runaway(step, values)
        names = (self.signals.accuracy_real, self.signals.accuracy_generated)
        if all(names) and all(n in values for n in names):  # the discriminator ran
            accuracies = [values[n] for n in names]
            since = self._lasting("discriminator_wins", min(accuracies) > t.accuracy, step)
            if since is not None:
                found.append(("discriminator_wins", f"accuracy on real {accuracies[0]:.4f} and on "
                              f"generated {accuracies[1]:.4f} since step {since}", since))
        ratio, spread_in = outputs["health/output_spread"], outputs["spread_in"]
        collapsed = ratio < t.spread and spread_in > 0
        adversarial = self.signals.adversarial
        if adversarial and not all(n in values for n in adversarial):
            # Pretraining: near one image can recover in the game (glyphs, ROBUSTNESS.md).
            self.pretrained_collapsed = step if collapsed else None
            return found
        if collapsed:
            detail = (f"spread across inputs {ratio * spread_in:.4f} against the inputs' "
                      f"{spread_in:.4f}")
            if self.pretrained_collapsed is not None:
                detail += (f"; one image already at step {self.pretrained_collapsed}, the end "
                           "of the generator's pretraining: it never learned the identity")
            found.append(("collapsed_output", detail, step))
        share_out, share_in = outputs["health/saturated_share"], outputs["saturated_in"]
        since = self._lasting("saturated_output",
                              share_out > t.saturation and share_in < t.saturation / 2, step)
        if since is not None:
            found.append(("saturated_output", f"{share_out:.0%} of the pixels at |x| >= "
                          f"{t.limit} (inputs: {share_in:.0%}) since step {since}", since))
        return found

    def _lasting(self, name: str, holds: bool, step: int) -> int | None:
        """Since when ``name``'s condition holds, once it has held ``window`` steps, else None."""
        if not holds:
            self.streaks.pop(name, None)
            return None
        since = self.streaks.setdefault(name, step)
        return since if step - since >= self.thresholds.window else None

    def _outputs(self, engine) -> dict[str, float]:
        """For the preview inputs: the outputs' spread across inputs over the inputs' spread,
        and the share of output pixels within ``1 - limit`` of the range limits (and inputs')."""
        inputs = engine.previews["synthetic"]
        # training=False: no noise draws, so watching leaves the run's random streams alone.
        outputs = tf.cast(self.task.generator(inputs, training=False), tf.float32).numpy()
        inputs, limit = inputs.numpy(), self.thresholds.limit
        spread_in, spread_out = (float(x.std(axis=0).mean()) if len(x) > 1 else 0.0
                                 for x in (inputs, outputs))
        return {"health/output_spread": spread_out / spread_in if spread_in > 0 else 1.0,
                "spread_in": spread_in,
                "health/saturated_share": float(np.mean(np.abs(outputs) >= limit)),
                "saturated_in": float(np.mean(np.abs(inputs) >= limit))}

    def observe(self, engine, step: int, summaries, values: dict[str, float]) -> None:
        """After a summary step (``values``: its metrics): logs symptoms, keeps the first."""
        if self.mode == "off" or self.symptom is not None:
            return
        outputs = self._outputs(engine)
        found = self._symptoms(step, values, outputs)
        summaries.scalars(step, {**{f"health/{name}": float(any(f[0] == name for f in found))
                                    for name in ADVICE},
                                 **{k: v for k, v in outputs.items() if k.startswith("health/")}})
        if not found:
            return
        name, detail, since = found[0]
        self.symptom = (name, step, detail, since)
        evaluation_file.append_results(files.join(engine.model_dir, evaluation_file.NAME), step,
                                       {f"health/{name}": 1.0})
        if self.mode == "warn":  # with 'stop' the error says it, once
            logging.warning("%s", self.message())
            self.symptom = None  # keep watching; the next symptom is reported again

    def message(self) -> str:
        name, step, detail, _ = self.symptom
        return (f"Training unhealthy at step {step}: {name} ({detail}). Try {ADVICE[name]}; "
                "train.health = 'warn' lets it go on.")

    def check(self, engine, step: int) -> None:
        """With 'stop' and a symptom: restores the last checkpoint before it, exports, stops."""
        if self.mode != "stop" or self.symptom is None:
            return
        since = self.symptom[3]
        healthy = engine.checkpointer.restore_latest(before=since)
        export = engine.export() if healthy else None
        raise TrainingUnhealthyError(
            f"{self.message()} Stopped; the last healthy checkpoint is kept: "
            f"{healthy or f'none was saved before step {since}'}"
            + (f", exported to {export}" if export else ""))
