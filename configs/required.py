"""Required parameters of a registered component, checked before it is called.

A factory called without a required parameter (``image_folder.path``) would raise TypeError
from inside gin's wrapper: a 35-line traceback that names the Python function, not the binding
to add. `check` names the binding, in the gin scope the call runs in, as one line.
"""

from __future__ import annotations

import inspect
from typing import Any, Container, Mapping, Protocol

import gin

from simgan.configs.parsing import ConfigError


class MissingParameterError(ConfigError):
    """A required parameter of a component is neither bound in gin nor passed."""


class _Entry(Protocol):  # core.registry.Entry
    name: str
    configurable: Any

    def parameters(self) -> Mapping[str, Any]:
        ...


def check(kind: str, entry: _Entry, supplied: Container[str]) -> None:
    """Raises MissingParameterError when a parameter of ``entry`` (a component of registry
    ``kind``) without a default is neither bound in gin, in the current gin scope, nor in
    ``supplied`` (the keyword arguments the caller passes)."""
    bound = gin.get_bindings(f"{kind}.{entry.name}", resolve_references=False)
    for param, default in entry.parameters().items():
        if default is inspect.Parameter.empty and param not in bound and param not in supplied:
            scope = gin.current_scope_str()
            key = f"{scope + '/' if scope else ''}{entry.name}.{param}"
            where = f" (built in gin scope {scope!r})" if scope else ""
            raise MissingParameterError(
                f"{entry.name}.{param} is required and has no value{where}: bind {key} = "
                f"<value> in a gin file or binding")

