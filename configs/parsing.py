"""Finding and parsing gin files, with one-line errors (ConfigError).

Only gin's public API is used. A --gin_file is resolved here to an absolute path (as given,
else in the shipped configs/ folder), so gin opens it directly. Inside gin files, the shipped
files are included as package resources, ``include 'simgan/configs/simgan/eyes_paper.gin'``,
which gin's resource reader finds in any installation without a search path.
"""

from __future__ import annotations

import os
import re
from typing import Iterator, Sequence

import gin

from simgan import configs

SHIPPED_INCLUDE_PREFIX = "simgan/configs/"
_BINDING_LINE = re.compile(
    r"^(?:(?P<scope>[\w./]+)/)?(?P<selector>[\w.]+)\.(?P<parameter>\w+) = ", re.MULTILINE)


class ConfigError(ValueError):
    """A gin file or binding could not be parsed or names something unknown."""


def resolve(path: str) -> str:
    """The absolute path of a --gin_file: as given (relative to the working directory), else
    relative to the shipped configs/ folder; a missing file fails naming both places."""
    for candidate in (path, os.path.join(configs.path(), path)):
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    raise ConfigError(f"--gin_file {path!r}: no such file (looked in the working directory and "
                      f"in {configs.path()})")


def parse(gin_files: Sequence[str], gin_params: Sequence[str]) -> None:
    """Parses gin files (paths, or paths relative to the shipped configs/ folder) and bindings.

    Call after the plugins are loaded, so a typo in a configurable or parameter name fails
    here, before anything is built, with the offending name.
    """
    paths = [resolve(path) for path in gin_files]
    try:
        gin.parse_config_files_and_bindings(paths, list(gin_params))
    except (ValueError, KeyError, SyntaxError, IOError, TypeError) as e:
        old_include = re.search(r"Unable to open file: (simgan/(?!configs/)\S+)\.", str(e))
        if old_include:  # a shipped file included by its pre-0.1 path
            raise ConfigError(f"Invalid gin include {old_include.group(1)!r}: include shipped "
                              f"gin files as '{SHIPPED_INCLUDE_PREFIX}<path>', e.g. include "
                              f"'{SHIPPED_INCLUDE_PREFIX}simgan/eyes_paper.gin'") from e
        raise ConfigError(f"Invalid gin configuration: {e}") from e


def bindings() -> Iterator[tuple[str, str, str]]:
    """``(scope, selector, parameter)`` of every parsed binding, read through gin's public
    ``config_str`` (lines ``[scope/]selector.parameter = value``; ``scope`` is '' when unscoped,
    macros are left out)."""
    for match in _BINDING_LINE.finditer(gin.config_str()):
        scope, selector, parameter = match.group("scope", "selector", "parameter")
        yield scope or "", selector, parameter
