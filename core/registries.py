"""The framework's registries, one per kind of component, and a printable listing of them."""

from __future__ import annotations

import inspect

from simgan.core.registry import CONFIGURABLES, Entry, Registry

DATASETS = Registry(
    "datasets",
    "factory(*, seed) -> tf.data.Dataset of unbatched dicts; 'image' float32 [H, W, C] in [-1, 1]")
REFINERS = Registry(
    "refiners", "factory(*, input_shape) -> keras.Model mapping [B, H, W, C] to the same range")
DISCRIMINATORS = Registry(
    "discriminators", "factory(*, input_shape) -> keras.Model mapping images to logits [B, h, w, 2]")
LOSSES = Registry(
    "losses", "factory() -> callable returning a per-example loss [B]")
BUFFERS = Registry(
    "buffers", "factory(*, image_shape, batch_size, seed) -> tf.Module with sample_and_update()")
OPTIMIZERS = Registry(
    "optimizers", "factory() -> keras.optimizers.Optimizer")
EVALUATORS = Registry(
    "evaluators", "factory(*, seed, output_dir) -> object with evaluate(refiner, step) -> dict[str, float]")

ALL = (DATASETS, REFINERS, DISCRIMINATORS, LOSSES, BUFFERS, OPTIMIZERS, EVALUATORS)


def _parameters(entry: Entry) -> list[str]:
    return [f"      {entry.name}.{param} = "
            f"{'<required>' if default is inspect.Parameter.empty else repr(default)}"
            for param, default in entry.parameters().items()]


def describe() -> str:
    """Every registered component per registry, then every other gin-configurable (train.*,
    ...), each with its parameters and defaults."""
    lines = []
    for registry in ALL:
        lines.append(f"[{registry.kind}]  {registry.description}")
        if not registry.names():
            lines.append("  (none registered)")
        for entry in registry:
            old = registry.aliases(entry.name)
            note = f" (deprecated name: {', '.join(old)})" if old else ""
            lines.append(f"  {entry.name}: {entry.summary()}{note}")
            lines += _parameters(entry)
        lines.append("")
    lines.append("[other gin-configurables]")
    for name in sorted(CONFIGURABLES):
        lines.append(f"  {name}: {CONFIGURABLES[name].summary()}")
        lines += _parameters(CONFIGURABLES[name])
    return "\n".join(lines) + "\n"
