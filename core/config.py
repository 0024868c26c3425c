"""Gin setup shared by the command-line tools: search paths, parsing, clear errors."""

from __future__ import annotations

import os
from typing import Sequence

import gin

from simgan import configs


class ConfigError(ValueError):
    """A gin file or binding could not be parsed or names something unknown."""


def parse(gin_files: Sequence[str], gin_params: Sequence[str]) -> None:
    """Parses gin files (paths, or paths relative to the shipped configs/ folder) and bindings.

    Call after the plugins are loaded, so a typo in a configurable or parameter name fails
    here, before anything is built, with the offending name.
    """
    gin.add_config_file_search_path(configs.path())
    gin.add_config_file_search_path(os.getcwd())
    for path in gin_files:
        if not (os.path.exists(path) or os.path.exists(os.path.join(configs.path(), path))):
            raise ConfigError(f"--gin_file {path!r}: no such file (looked in the working "
                              f"directory and in {configs.path()})")
    try:
        gin.parse_config_files_and_bindings(list(gin_files), list(gin_params))
    except (ValueError, KeyError, SyntaxError, IOError) as e:
        raise ConfigError(f"Invalid gin configuration: {e}") from e
