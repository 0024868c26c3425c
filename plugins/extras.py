"""Optional dependencies behind pip extras (`simgan[hdf5]`, `simgan[vtt]`, `simgan[all]`):
imported when first used, failing with the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the pip extra."""


def _message(module: str, extra: str, purpose: str) -> str:
    return (f"{purpose} needs the Python package {module!r}, which is not installed: "
            f"pip install 'simgan[{extra}]' (or 'simgan[all]')")


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Imports ``module`` now; a missing one raises naming ``extra``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise MissingExtraError(_message(module, extra, purpose)) from e


class _Deferred:
    """Stands for a module that is imported on first attribute access."""

    def __init__(self, module: str, extra: str, purpose: str):
        self._args = (module, extra, purpose)
        self._module: ModuleType | None = None

    def __getattr__(self, name: str) -> Any:
        if self._module is None:
            self._module = require(*self._args)
        return getattr(self._module, name)


def deferred(module: str, extra: str, purpose: str) -> Any:
    """``module``, imported when first used (so a plugin that offers it loads without it)."""
    return _Deferred(module, extra, purpose)
