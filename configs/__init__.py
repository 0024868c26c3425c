"""Configuration: the gin files shipped with simgan (`path()` is their folder) and the code that
reads and checks them (parsing, validation, required, selection). A library below the engine:
it imports nothing else of simgan."""

import os


def path() -> str:
    """The folder holding the shipped gin files (a gin include search path)."""
    return os.path.dirname(os.path.abspath(__file__))
