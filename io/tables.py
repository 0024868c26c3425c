"""The one Markdown-table writer (evaluation summaries, ablation tables, run reports)."""

from __future__ import annotations

from typing import Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   align: bool = False) -> str:
    """A GitHub Markdown table, one line per row, without a trailing newline; with ``align``
    every column is padded to its widest cell, so the table also reads well as plain text."""
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [0] * max(len(row) for row in cells)
    if align:
        widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(len(widths))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    rule = "|" + "".join("-" * (w + 2) + "|" if align else "---|" for w in widths[:len(header)])
    return "\n".join([lines[0], rule, *lines[1:]])
