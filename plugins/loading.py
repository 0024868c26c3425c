"""Loads plugins: every installed `simgan.plugins` entry point, and modules named by the user.

Core never imports a plugin by name: the built-in plugins are entry points of this distribution
like any third-party package's. A run records the modules it was given (`record`), so the
commands that read it later load them without being told again (`load_for_run`).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import importlib.util
import os
import sys
from types import ModuleType
from typing import Iterable, Iterator, Sequence

from absl import logging

ENTRY_POINT_GROUP = "simgan.plugins"
_loaded: dict[str, ModuleType] = {}


class PluginError(ImportError):
    """A plugin could not be found or failed while importing."""


def load_entry_points() -> list[str]:
    """Imports every module advertised in the `simgan.plugins` entry-point group."""
    names = []
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.value in _loaded:
            continue
        try:
            _loaded[ep.value] = ep.load()
        except Exception as e:  # report which plugin broke, not just the inner error
            raise PluginError(
                f"Plugin entry point {ep.name!r} = {ep.value!r} (group {ENTRY_POINT_GROUP!r}) "
                f"failed to load: {type(e).__name__}: {e}") from e
        names.append(ep.value)
    return names


def load_module(spec: str) -> ModuleType:
    """Imports a plugin given as a dotted module name or as a path to a .py file (once per
    module: a file named by a relative and by its absolute path is one plugin)."""
    key = as_recorded(spec)
    if key in _loaded:
        return _loaded[key]
    try:
        if _is_file(spec):
            if not os.path.isfile(spec):
                raise PluginError(f"--plugin {spec!r}: no such file")
            name = "simgan_user_plugin_" + os.path.splitext(os.path.basename(spec))[0]
            module_spec = importlib.util.spec_from_file_location(name, spec)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(spec)
    except PluginError:
        raise
    except ModuleNotFoundError as e:
        raise PluginError(f"--plugin {spec!r}: module not found ({e}); is it on PYTHONPATH "
                          "or installed?") from e
    except Exception as e:
        raise PluginError(f"--plugin {spec!r} failed to import: {type(e).__name__}: {e}") from e
    _loaded[key] = module
    logging.info("Loaded plugin %s", spec)
    return module


def load_all(extra: Iterable[str] = ()) -> None:
    """Loads the entry-point plugins, then each module in ``extra``."""
    load_entry_points()
    for spec in extra:
        load_module(spec)


def as_recorded(spec: str) -> str:
    """``spec`` as a run records it: a .py path made absolute (the run outlives the working
    directory), a module name as given."""
    return os.path.abspath(spec) if _is_file(spec) else spec


def _is_file(spec: str) -> bool:
    """Whether ``spec`` names a .py file (else a dotted module name)."""
    return spec.endswith(".py") or os.sep in spec


def record(model_dir: str, specs: Sequence[str]) -> None:
    """Adds the plugin modules ``specs`` to ``model_dir``'s plugins.json (io/provenance.py)."""
    from simgan.io import provenance  # pylint: disable=import-outside-toplevel  (--help: no TF)
    provenance.write_plugins(model_dir, [as_recorded(spec) for spec in specs])


def load_for_run(model_dir: str | None, specs: Sequence[str], flag: str = "--plugin") -> None:
    """Loads the entry-point plugins, then ``specs``; given none, the plugins ``model_dir``'s
    training recorded. A recorded plugin that no longer loads fails naming plugins.json and how
    to give its new place (``flag``), which replaces the record."""
    if specs or not model_dir:
        load_all(specs)
        return
    from simgan.io import files, provenance  # pylint: disable=import-outside-toplevel  (no TF)
    load_entry_points()
    for spec in provenance.read_plugins(model_dir) or []:
        try:
            load_module(spec)
        except PluginError as e:
            raise PluginError(
                f"{files.join(model_dir, provenance.PLUGINS_FILE)}: recorded plugin {spec!r} "
                f"does not load ({e}); give its new place with {flag}, which replaces the "
                "record") from e


@contextlib.contextmanager
def unrecorded_hint(model_dir: str | None, specs: Sequence[str],
                    flag: str = "--plugin") -> Iterator[None]:
    """Around parsing ``model_dir``'s config: gin's "No configurable matching" error, when the
    run records no plugins (trained before runs recorded them) and none were given, says to
    give the training's plugins with ``flag``."""
    from simgan.configs import parsing  # pylint: disable=import-outside-toplevel  (no TF)
    from simgan.io import provenance  # pylint: disable=import-outside-toplevel
    try:
        yield
    except parsing.ConfigError as e:
        if (model_dir and "No configurable matching" in str(e) and not specs
                and provenance.read_plugins(model_dir) is None):
            raise parsing.ConfigError(
                f"{e}; {model_dir!r} records no plugins ({provenance.PLUGINS_FILE}): if it was "
                f"trained with --plugin, give the same {flag} here") from e
        raise
