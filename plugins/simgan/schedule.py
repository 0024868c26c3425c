"""The S+U training schedule as a pure function of the global step.

Steps are numbered 0..total-1: first ``refiner_pretrain`` steps of the refiner with
self-regularization only, then ``discriminator_pretrain`` discriminator steps, then
``iterations`` rounds of Kg refiner steps followed by Kd discriminator steps. Because the phase
is derived from the step alone, a resumed run continues exactly where it stopped.
"""

from __future__ import annotations

import dataclasses

REFINER_PRETRAIN = "refiner_pretrain"
DISCRIMINATOR_PRETRAIN = "discriminator_pretrain"
REFINER = "refiner"
DISCRIMINATOR = "discriminator"


# The gin binding (simgan.*) of each field, for error messages.
_BINDINGS = {"refiner_pretrain": "refiner_pretrain_steps",
             "discriminator_pretrain": "discriminator_pretrain_steps", "iterations": "iterations",
             "kg": "refiner_steps_per_iteration", "kd": "discriminator_steps_per_iteration"}


@dataclasses.dataclass(frozen=True)
class Schedule:
    refiner_pretrain: int
    discriminator_pretrain: int
    iterations: int
    kg: int
    kd: int

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"simgan.{_BINDINGS[field.name]}: expected an integer >= 0, "
                                 f"got {value!r}")
        if self.iterations and self.kg + self.kd == 0:
            raise ValueError("simgan.refiner_steps_per_iteration + "
                             "simgan.discriminator_steps_per_iteration: expected >= 1 when "
                             "simgan.iterations > 0")

    @property
    def total(self) -> int:
        return self.refiner_pretrain + self.discriminator_pretrain + self.iterations * (self.kg + self.kd)

    def phase(self, step: int) -> str:
        """Which kind of step the global step ``step`` is."""
        if not 0 <= step < self.total:
            raise IndexError(f"step {step} outside the schedule of {self.total} steps")
        if step < self.refiner_pretrain:
            return REFINER_PRETRAIN
        step -= self.refiner_pretrain
        if step < self.discriminator_pretrain:
            return DISCRIMINATOR_PRETRAIN
        step -= self.discriminator_pretrain
        return REFINER if step % (self.kg + self.kd) < self.kg else DISCRIMINATOR
