"""`simgan-components`: lists the registered components per registry, then the other
gin-configurables (train.*, batched, ...), after loading the installed plugins and any --plugin.
Each comes with its whole description (its docstring's first paragraph) and the parameters a gin
file may bind, with their defaults; those the framework passes itself (shapes, seeds) are not
shown, since a binding of them is refused.

    simgan-components               # everything
    simgan-components evaluators    # one registry (any part of its name: eval)
    simgan-components adversarial   # the components whose name holds "adversarial"
"""

from __future__ import annotations

import difflib
import inspect
import textwrap
from typing import NamedTuple, Sequence

from absl import app, flags

from simgan.core import registries
from simgan.core.engine import config as _engine_config  # noqa: F401  (registers train.*)
from simgan.core.registry import CONFIGURABLES, Entry
from simgan.plugins import loading
from simgan.tools import cli

WIDTH = 100


class Section(NamedTuple):
    """One registry (or the other gin-configurables) and the entries shown of it."""

    kind: str
    description: str
    entries: tuple[Entry, ...]


def sections() -> list[Section]:
    """Every registry, then the gin-configurables outside them, entries sorted by name."""
    listed = [Section(r.kind, r.description, tuple(r)) for r in registries.ALL]
    others = tuple(CONFIGURABLES[name] for name in sorted(CONFIGURABLES))
    return listed + [Section("other gin-configurables", "", others)]


def select(listed: Sequence[Section], name: str) -> list[Section]:
    """The sections whose kind holds ``name`` (whole), and the entries whose name holds it
    (case-insensitive); nothing matching raises a one-line error with the close matches."""
    key = name.lower()
    chosen = []
    for section in listed:
        if key in section.kind.lower():
            chosen.append(section)
        else:
            entries = tuple(e for e in section.entries if key in e.name.lower())
            if entries:
                chosen.append(section._replace(entries=entries))
    if not chosen:
        known = [s.kind for s in listed] + [e.name for s in listed for e in s.entries]
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise cli.UserError(f"no registry or component name holds {name!r}{hint} (without a "
                            "name, every component is listed)")
    return chosen


def description(entry: Entry) -> str:
    """The first paragraph of the component's docstring, on one line."""
    paragraph = (inspect.getdoc(entry.original) or "").split("\n\n")[0]
    return " ".join(paragraph.split())


def _entry_lines(entry: Entry) -> list[str]:
    lines = textwrap.wrap(f"{entry.name}: {description(entry)}", WIDTH, initial_indent="  ",
                          subsequent_indent="    ", break_on_hyphens=False)
    for param, default in entry.parameters().items():
        shown = "<required>" if default is inspect.Parameter.empty else repr(default)
        lines.append(f"      {entry.name}.{param} = {shown}")
    return lines


def describe(name: str | None = None) -> str:
    """The listing: every section, or those ``name`` selects (see `select`)."""
    listed = sections() if name is None else select(sections(), name)
    lines = []
    for section in listed:
        lines += textwrap.wrap(f"[{section.kind}]  {section.description}", WIDTH,
                               subsequent_indent=" " * (len(section.kind) + 4),
                               break_on_hyphens=False)
        if not section.entries:
            lines.append("  (none registered)")
        for entry in section.entries:
            lines += _entry_lines(entry)
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if len(argv) > 2:
        raise app.UsageError(f"at most one NAME to filter by, got {argv[1:]}")
    loading.load_all(flags.FLAGS.plugin)
    print(describe(argv[1] if len(argv) == 2 else None), end="")


def run() -> None:
    cli.run("simgan-components", cli.define_plugin, main)


if __name__ == "__main__":
    run()
