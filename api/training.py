"""`simgan.train`: a training run from Python, as `simgan-train` runs it."""

from __future__ import annotations

from typing import Sequence

import gin

from simgan.configs import parsing, validation
from simgan.core import registries
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.io import lock, read_errors
from simgan.plugins import loading
from simgan.tools import process


def as_list(value: Sequence[str] | str) -> list[str]:
    """A list of strings from one string or a sequence of them."""
    return [value] if isinstance(value, str) else list(value)


def check_gin_files(gin_files: Sequence[str]) -> None:
    """Fails naming the argument ``gin_files`` when one of them does not exist."""
    for path in gin_files:
        try:
            parsing.resolve(path)
        except parsing.ConfigError:
            raise parsing.ConfigError(
                f"gin_files: {path!r}: no such file (looked in the working directory and in "
                "the shipped configs)") from None


def configure(gin_files: Sequence[str] | str, bindings: Sequence[str] | str,
              plugin_modules: Sequence[str] | str) -> None:
    """Replaces gin's configuration by ``gin_files`` then ``bindings``, after loading the
    built-in plugins and ``plugin_modules``."""
    gin_files = as_list(gin_files)
    loading.load_all(as_list(plugin_modules))
    check_gin_files(gin_files)
    gin.clear_config()
    parsing.parse(gin_files, as_list(bindings))


def train(gin_files: Sequence[str] | str = (), bindings: Sequence[str] | str = (), *,
          model_dir: str, seed: int = 0, plugins: Sequence[str] | str = ()) -> dict[str, float]:
    """Trains (or resumes) the run configured by ``gin_files`` (paths, or names of shipped
    configs such as ``'your_data.gin'``) and ``bindings`` (gin lines, applied after the files)
    into ``model_dir`` with ``seed``; returns the final evaluation ``{"<evaluator>/<key>":
    value}`` ({} without evaluators). The built-in plugins load on first use; ``plugins`` adds
    modules (dotted names or .py paths). Process-wide settings come from the configuration as
    in simgan-train (``train.deterministic``, ``train.cpu_devices``). Gin's global
    configuration is replaced by this run's."""
    if not isinstance(model_dir, str) or not model_dir:
        raise ValueError(f"model_dir: expected a folder path, got {model_dir!r}")
    configure(gin_files, bindings, plugins)
    validation.check_bindings(registries.components())
    run_config = validation.configured(TrainConfig, "train")
    process.prepare(seed, run_config)
    return run(run_config, model_dir, seed, as_list(plugins))


def run(run_config: TrainConfig, model_dir: str, seed: int,
        plugins: Sequence[str] = ()) -> dict[str, float]:
    """The one call into the training loop: the engine's run, holding the model dir's lock, on
    simgan-train's default strategy (one device), so a seed gives the command's weights;
    ``plugins`` are recorded in the run for `refine`."""
    with lock.hold(model_dir, "model_dir"), read_errors.naming_files():
        loading.record(model_dir, plugins)
        return Engine(run_config, model_dir, seed, process.strategy("default")).train()
