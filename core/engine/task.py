"""The Task protocol: what an algorithm (S+U, CUT, ...) gives the engine.

Modelled on tensorflow/models ``official/core`` (a Task owns its models, losses and train step;
the trainer is generic): a task builds its models, optimizers and state (all trackable, so they
are checkpointed), names its phases and their order, and gives one per-replica step per phase.
The engine (core/engine/loop.py) fuses steps into compiled calls under a tf.distribute strategy,
feeds them batches of the run's domains, and runs the actions (checkpoints, summaries, grids,
evaluation, export, health checks). Core knows no task: tasks are registered plugins (TASKS).
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, Callable, Mapping

import gin
import keras
import tensorflow as tf

from simgan.core.engine import speed
from simgan.core.evaluation import Domains
from simgan.core.registries import OPTIMIZERS

# A batch of one domain: its numeric entries ("image" float32 [B, H, W, C], labels), per replica.
Batch = Mapping[str, tf.Tensor]
StepFn = Callable[[Mapping[str, Batch]], Mapping[str, tf.Tensor]]


@dataclasses.dataclass(frozen=True)
class Phase:
    """One kind of step.

    ``inputs``: the domains ('synthetic', 'real') whose next batch the step reads.
    ``metrics``: what the step returns and trains; the engine logs only the metrics of the
    phases that ran, so no curve starts on a false floor.
    ``step``: per replica, ``{domain: batch} -> {metric: value}``; each value is the replica's
    contribution to the global mean (e.g. ``tf.nn.compute_average_loss`` over the global batch),
    summed across replicas by the engine.
    """

    name: str
    inputs: tuple[str, ...]
    metrics: tuple[str, ...]
    step: StepFn


@dataclasses.dataclass(frozen=True)
class Stage:
    """A stretch of the schedule shown as one progress line (e.g. S+U's 'pretrain R')."""

    title: str
    first: int
    end: int
    metrics: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class BuildContext:
    """What the engine tells a task when it builds: shapes, batch sizes, the run's seed (use
    `seeds.stream` for independent draws), its datasets, precision and the strategy (the task is
    built inside its scope and under the precision's Keras dtype policy)."""

    image_shape: tuple[int, int, int]
    global_batch: int
    replica_batch: int
    seed: int
    precision: str
    jit_compile: bool
    strategy: tf.distribute.Strategy
    domains: Domains

    def optimizer(self, scope: str, name: str, variables: list) -> keras.optimizers.Optimizer:
        """Registered optimizer ``name`` built under gin scope ``scope`` (a player, e.g.
        ``refiner/sgd.learning_rate``), with loss scaling under float16, its slots created for
        ``variables`` now so that a checkpoint restores them."""
        with gin.config_scope(scope):
            optimizer = OPTIMIZERS.build(name)
        if self.precision == "mixed_float16":
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(variables)
        return optimizer

    def compile(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as one tf.function, XLA-compiled when the run asks (`speed.compile_step`)."""
        return speed.compile_step(fn, self.jit_compile)


class Task(abc.ABC):
    """An algorithm run by the engine. ``generator`` (the refiner) is what is previewed in the
    grids, evaluated and exported: a Keras model ``[B, H, W, C] -> [B, H, W, C]``."""

    generator: keras.Model

    @abc.abstractmethod
    def build(self, context: BuildContext) -> None:
        """Builds the models, optimizers and state."""

    @abc.abstractmethod
    def phases(self) -> tuple[Phase, ...]:
        """Every phase the schedule uses (after `build`)."""

    @abc.abstractmethod
    def total_steps(self) -> int:
        """The length of the schedule."""

    @abc.abstractmethod
    def phase_at(self, step: int) -> str:
        """The name of the phase of global step ``step`` (0-based); a pure function of the step,
        so a resumed run continues exactly where it stopped."""

    @abc.abstractmethod
    def stages(self) -> tuple[Stage, ...]:
        """The schedule's stages in order, for progress lines."""

    @abc.abstractmethod
    def trackables(self) -> dict[str, Any]:
        """Everything to checkpoint, by name (models, optimizers, buffers)."""

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """The optimizers by player, for learning-rate summaries."""
        return {name: value for name, value in self.trackables().items()
                if isinstance(value, keras.optimizers.Optimizer)}
