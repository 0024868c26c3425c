"""Gin files shipped with simgan; `simgan.configs.path()` is their folder."""

import os


def path() -> str:
    """The folder holding the shipped gin files (a gin include search path)."""
    return os.path.dirname(os.path.abspath(__file__))
