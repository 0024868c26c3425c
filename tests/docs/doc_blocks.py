"""Code blocks of a docs/ page, for the tests that run the pages."""

from __future__ import annotations

import os
import re

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def blocks(page: str, language: str) -> list[str]:
    """The fenced blocks of ``docs/<page>`` in ``language``, in order."""
    with open(os.path.join(DOCS, page), encoding="utf-8") as f:
        return re.findall(rf"```{language}\n(.*?)```", f.read(), re.S)


def named_block(page: str, language: str, name: str) -> str:
    """The block of ``docs/<page>`` whose first line is ``# <name>``."""
    for block in blocks(page, language):
        if block.startswith(f"# {name}\n"):
            return block
    raise AssertionError(f"docs/{page} has no {language} block named {name!r}")


def make_toy_folders(directory) -> None:
    """Runs docs/YOUR_DATA.md's make_toy_folders.py in ``directory``."""
    code = named_block("YOUR_DATA.md", "python", "make_toy_folders.py")
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        exec(compile(code, "make_toy_folders.py", "exec"), {})  # pylint: disable=exec-used
    finally:
        os.chdir(cwd)
