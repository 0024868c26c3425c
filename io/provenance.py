"""Configuration provenance across resumes: a resumed run compares its configuration with the
one it resumes from, so no change passes unnoticed.

The first run of a model dir writes ``run.json`` (seed, precision, simgan version) beside
``operative_config.gin``. A resume compares the new operative configuration and seed with the
recorded ones, binding by binding:
- changes that the caller's rule allows (the engine's: action intervals, evaluators, the
  schedule's length; core/engine/config.py) are logged;
- anything else (networks, objectives, optimizers, data, seed, precision) is refused in one line
  naming the binding, unless ``allow_change``, which records it.
Every resume keeps the operative config it ran with as ``operative_config.<step>.gin``; the
record of what trained the first steps is never overwritten.

``plugins.json`` lists the plugin modules the run's sessions were given (--plugin), so the
commands that read the run later (simgan-refine, simgan-eval) load them by themselves.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from typing import Callable, Sequence

import gin
from absl import logging

from simgan.configs.parsing import ConfigError
from simgan.io import files
from simgan.io.files import atomic_write_text, read_text

RUN_FILE = "run.json"
OPERATIVE_CONFIG = "operative_config.gin"  # the values the first session used
FULL_CONFIG = "config.gin"  # every binding parsed (the latest session's)
PLUGINS_FILE = "plugins.json"  # the user plugin modules of every session, in first-use order
_BINDING = re.compile(r"^([A-Za-z_][\w./]*) = (.*)$")


def bindings(text: str) -> dict[str, str]:
    """``{binding: value text}`` of an operative config (continuation lines joined)."""
    result, current = {}, None
    for line in text.splitlines():
        match = _BINDING.match(line)
        if match:
            current = match.group(1)
            result[current] = match.group(2).strip()
        elif current and line[:1].isspace() and line.strip():
            result[current] += " " + line.strip()
        else:
            current = None
    return {k: " ".join(v.split()) for k, v in result.items()}


def _version() -> str:
    try:
        return importlib.metadata.version("simgan")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def record(seed: int, precision: str) -> dict:
    """What the run is besides its gin configuration."""
    return {"seed": int(seed), "precision": precision, "simgan": _version()}


def check_resume(model_dir: str, step: int, run: dict, allow_change: bool,
                 resumable: Callable[[str], bool]) -> list[str]:
    """Compares this session's configuration with the recorded one before a resume at
    ``step``; returns the changes made (logged), raises ConfigError on a change to a binding
    that is not ``resumable``."""
    old_text = read_text(files.join(model_dir, OPERATIVE_CONFIG))
    old_run_text = read_text(files.join(model_dir, RUN_FILE))
    if old_text is None:
        return []
    try:
        old_run = json.loads(old_run_text) if old_run_text else {}
    except json.JSONDecodeError as e:
        raise ConfigError(f"{files.join(model_dir, RUN_FILE)}: not valid JSON ({e}); expected "
                          "the run record simgan-train writes") from e
    old, new = bindings(old_text), bindings(gin.operative_config_str())
    changes, refused = [], []
    # Bindings that both sessions set come first: the change made, before its consequences
    # (a new optimizer's own parameters appearing).
    for key in sorted(set(old) | set(new), key=lambda k: (k not in old or k not in new, k)):
        if old.get(key) != new.get(key):
            change = f"{key}: {old.get(key, '(unset)')} -> {new.get(key, '(unset)')}"
            changes.append(change)
            if not resumable(key):
                refused.append(change)
    for key in ("seed", "precision"):
        if key in old_run and old_run[key] != run[key]:
            change = f"{'--seed' if key == 'seed' else 'precision'}: {old_run[key]} -> {run[key]}"
            changes.append(change)
            refused.append(change)
    if refused and not allow_change:
        raise ConfigError(
            f"{model_dir}: resuming at step {step} with a changed configuration ({refused[0]}"
            f"{f' and {len(refused) - 1} more' if len(refused) > 1 else ''}); use a new "
            "--model_dir, or set train.allow_config_change = True to resume anyway (recorded "
            f"in operative_config.{step}.gin)")
    for change in changes:
        logging.warning("Resuming at step %d with a changed binding: %s", step, change)
    return changes


def write(output_dir: str, start: int, run: dict) -> None:
    """Keeps this session's configuration: the first session's as operative_config.gin and
    run.json, each resume's as operative_config.<start>.gin; config.gin is the latest."""
    name = OPERATIVE_CONFIG if start == 0 else f"operative_config.{start}.gin"
    atomic_write_text(files.join(output_dir, name), gin.operative_config_str())
    atomic_write_text(files.join(output_dir, FULL_CONFIG), gin.config_str())
    if start == 0 or read_text(files.join(output_dir, RUN_FILE)) is None:
        atomic_write_text(files.join(output_dir, RUN_FILE), json.dumps(run, indent=2) + "\n")


def write_plugins(model_dir: str, specs: Sequence[str]) -> None:
    """Adds ``specs`` (plugin modules as the loader takes them) to ``model_dir``'s record,
    keeping those of earlier sessions: each was needed to read some binding of the run."""
    recorded = read_plugins(model_dir) or []
    merged = recorded + [spec for spec in specs if spec not in recorded]
    if merged != recorded:
        atomic_write_text(files.join(model_dir, PLUGINS_FILE),
                          json.dumps({"plugins": merged}, indent=2) + "\n")


def read_plugins(model_dir: str) -> list[str] | None:
    """The plugin modules recorded in ``model_dir`` (None: no record, a run from before the
    record existed or trained without --plugin)."""
    path = files.join(model_dir, PLUGINS_FILE)
    text = read_text(path)
    if text is None:
        return None
    try:
        specs = json.loads(text)["plugins"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ConfigError(f"{path}: field 'plugins': expected {{\"plugins\": [module or .py "
                          f"path, ...]}} as simgan-train writes it ({type(e).__name__}: {e})"
                          ) from e
    if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        raise ConfigError(f"{path}: field 'plugins': expected a list of module names or .py "
                          f"paths, got {specs!r}")
    return specs
