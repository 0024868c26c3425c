"""Gin setup shared by the command-line tools: search paths, parsing, clear errors."""

from __future__ import annotations

import os
from typing import Callable, Sequence

import gin

from simgan import configs


class ConfigError(ValueError):
    """A gin file or binding could not be parsed or names something unknown."""


def _tolerant(exists: Callable[[str], bool]) -> Callable[[str], bool]:
    """gin's package-resource lookup raises TypeError for a path whose first folder is a
    namespace package (e.g. 'simgan/eyes_paper.gin', as `simgan` is one); treat it as absent
    so gin goes on to the search paths."""

    def check(path: str) -> bool:
        try:
            return exists(path)
        except TypeError:
            return False

    check.tolerant = True
    return check


def _install_search_paths() -> None:
    readers = gin.config._FILE_READERS  # pylint: disable=protected-access
    readers[:] = [(r, e if getattr(e, "tolerant", False) else _tolerant(e)) for r, e in readers]
    for location in (configs.path(), os.getcwd()):
        if location not in gin.config._LOCATION_PREFIXES:  # pylint: disable=protected-access
            gin.add_config_file_search_path(location)


def parse(gin_files: Sequence[str], gin_params: Sequence[str]) -> None:
    """Parses gin files (paths, or paths relative to the shipped configs/ folder) and bindings.

    Call after the plugins are loaded, so a typo in a configurable or parameter name fails
    here, before anything is built, with the offending name.
    """
    _install_search_paths()
    for path in gin_files:
        if not (os.path.exists(path) or os.path.exists(os.path.join(configs.path(), path))):
            raise ConfigError(f"--gin_file {path!r}: no such file (looked in the working "
                              f"directory and in {configs.path()})")
    try:
        gin.parse_config_files_and_bindings(list(gin_files), list(gin_params))
    except (ValueError, KeyError, SyntaxError, IOError) as e:
        raise ConfigError(f"Invalid gin configuration: {e}") from e
