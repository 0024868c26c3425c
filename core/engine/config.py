"""The engine's configuration (`train.*`): which task on which data, how big a batch, how often
each action runs, and the speed options. What a task trains (schedule, networks, objectives) is
configured on the task itself (e.g. `simgan.*`, plugins/simgan/task.py)."""

from __future__ import annotations

import dataclasses
from typing import Container, Sequence

from simgan.core import registry

# Intervals in steps; 0 turns one off (the end of training still checkpoints and evaluates).
INTERVALS = ("summary_every", "image_every", "checkpoint_every", "eval_every")
HEALTH_MODES = ("stop", "warn", "off")
# What a resume may change (io/provenance.py): action intervals and reporting, never what trains.
RESUMABLE = tuple(f"train.{name}" for name in (*INTERVALS, "keep_checkpoints", "evaluators",
                  "preview_images", "health", "steps_per_call", "allow_config_change"))


@registry.configurable("train")
@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The run: task, domains, batch, action intervals and speed options.

    ``evaluators``: named instances, each a type name (its instance name is the type) or a
    ``(name, type)`` pair configured under the gin scope ``name``, e.g.
    ``[('gaze_validation', 'gaze')]`` with ``gaze_validation/gaze.split = 'validation'``.
    ``allow_config_change``: resume even where the configuration changed in what was trained
    (recorded; io/provenance.py). ``health``: what a collapsed or runaway game does
    (core/engine/health.py): 'stop' the run (exit non-zero, keeping the last healthy checkpoint
    and export), 'warn' or 'off'.
    ``deterministic``: TensorFlow op determinism (None: on without a GPU or XLA;
    tools/process.py).
    ``cpu_devices``: split the CPU into this many logical devices, to run the mirrored strategy
    on one machine (tests, debugging).
    Speed options (docs/PERFORMANCE.md): None picks the fastest correct choice per device: XLA
    on GPUs only; bfloat16 on GPUs of compute capability >= 8, else float32; batches staged on
    the device with one GPU (core/engine/sources.py).
    """

    task: str = "simgan"
    synthetic_dataset: str = "eye_simulator"
    real_dataset: str = "eye_simulator"
    batch_size: int = 512
    evaluators: Sequence[str | tuple[str, str]] = ()
    eval_every: int = 0
    summary_every: int = 50
    image_every: int = 500
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    preview_images: int = 8
    max_loss: float = 1e6
    health: str = "stop"
    allow_config_change: bool = False
    deterministic: bool | None = None
    cpu_devices: int = 1
    jit_compile: bool | None = None
    mixed_precision: str | None = None
    steps_per_call: int = 10
    prefetch_to_device: bool | None = None

    def __post_init__(self):
        lowest = {"batch_size": 1, "keep_checkpoints": 1, "cpu_devices": 1, "preview_images": 1,
                  "steps_per_call": 1, **{name: 0 for name in INTERVALS}}
        for name, low in lowest.items():
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool) and value < low:
                what = " (0 turns it off)" if name in INTERVALS else ""
                raise ValueError(f"train.{name}: expected an integer >= {low}{what}, got "
                                 f"{value!r}")
        if not isinstance(self.max_loss, (int, float)) or not self.max_loss > 0:
            raise ValueError(f"train.max_loss: expected a number > 0, got {self.max_loss!r}")
        if self.health not in HEALTH_MODES:
            raise ValueError(f"train.health: expected one of {HEALTH_MODES}, got "
                             f"{self.health!r}")

    def evaluator_instances(self) -> list[tuple[str, str]]:
        """``[(instance name, evaluator type), ...]``; a repeated name fails naming it."""
        instances = []
        for entry in self.evaluators:
            if isinstance(entry, str):
                instances.append((entry, entry))
            elif (isinstance(entry, (tuple, list)) and len(entry) == 2
                  and all(isinstance(e, str) for e in entry)):
                instances.append((entry[0], entry[1]))
            else:
                raise ValueError(f"train.evaluators: expected a type name or a (name, type) "
                                 f"pair, got {entry!r}")
        names = [name for name, _ in instances]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"train.evaluators: the name {repeated[0]!r} is used twice; give "
                             "each instance its own name with a (name, type) pair")
        return instances


def resumable(binding: str, task_bindings: Container[str], evaluators: Container[str]) -> bool:
    """Whether a resume may change ``binding``: an engine setting in RESUMABLE, a health
    threshold, one of the task's ``resumable_bindings`` or an evaluator's own parameter."""
    if binding in RESUMABLE or binding in task_bindings or binding.startswith("health."):
        return True
    selector = binding.rsplit(".", 1)[0].split("/")[-1]
    return selector.split(".")[-1] in evaluators
