"""Loads plugins: every installed `simgan.plugins` entry point, and modules named by the user.

Core never imports a plugin by name: the built-in plugins are entry points of this distribution
like any third-party package's.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from types import ModuleType
from typing import Iterable

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
    """Imports a plugin given as a dotted module name or as a path to a .py file."""
    if spec in _loaded:
        return _loaded[spec]
    try:
        if spec.endswith(".py") or os.sep in spec:
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
    _loaded[spec] = module
    logging.info("Loaded plugin %s", spec)
    return module


def load_all(extra: Iterable[str] = ()) -> None:
    """Loads the entry-point plugins, then each module in ``extra``."""
    load_entry_points()
    for spec in extra:
        load_module(spec)
