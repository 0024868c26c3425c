"""The framework's registries, one per kind of component, each declaring the arguments the
framework passes to its factories."""

from __future__ import annotations

from typing import Any

from simgan.core.registry import CONFIGURABLES, Registry

DATASETS = Registry(
    "datasets",
    "factory(*, seed) -> tf.data.Dataset of unbatched dicts; 'image' float32 [H, W, C] in [-1, 1]",
    framework_args=("seed",))
GENERATORS = Registry(
    "generators", "factory(*, input_shape) -> keras.Model mapping [B, H, W, C] to the same range "
    "(S+U's refiner)", framework_args=("input_shape",))
DISCRIMINATORS = Registry(
    "discriminators", "factory(*, input_shape) -> keras.Model mapping images to logits",
    framework_args=("input_shape",))
LOSSES = Registry(
    "losses", "factory(*, weight) -> LossTerm giving per-example losses [B] (core/losses.py)")
BUFFERS = Registry(
    "buffers", "factory(*, image_shape, batch_size, seed) -> tf.Module with sample_and_update()",
    framework_args=("image_shape", "batch_size", "seed"))
OPTIMIZERS = Registry(
    "optimizers", "factory() -> keras.optimizers.Optimizer")
EVALUATORS = Registry(
    "evaluators", "factory(*, seed, output_dir, domains) -> object with evaluate(generator, "
    "step) -> dict[str, float]", framework_args=("seed", "output_dir", "domains"))
AUGMENTS = Registry(
    "augments", "factory() -> tf.Module: __call__(images, seed) -> images, differentiable; "
    "optionally update(real_scores) (adaptive strength)")
TASKS = Registry(
    "tasks", "factory() -> Task (core/engine/task.py): an algorithm the engine runs")

ALL = (TASKS, DATASETS, GENERATORS, DISCRIMINATORS, LOSSES, BUFFERS, OPTIMIZERS, AUGMENTS,
       EVALUATORS)


def components() -> dict[str, Any]:
    """Every configurable by its gin name (what configs/validation.py checks): the registries'
    components and the other configurables (core.registry.configurable)."""
    found = {name: entry.original for name, entry in CONFIGURABLES.items()}
    for kind in ALL:
        found.update((entry.name, entry.original) for entry in kind)
    return found
