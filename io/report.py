"""Evaluation results as a short table: one row per metric, a column per image source (raw
synthetic, refined), each value with its spread beside it (``0.91 [0.88, 0.93]``) rather than
in rows of its own. The end-of-run report and `simgan-eval --summarize` both print it.

Keys look like ``<evaluator>/<source>/<metric>``, the source ``synthetic`` or ``refined``
(optionally ``_<k>x``, a data multiplier); ``<key>_std``, ``_se``, ``_ci_low`` and ``_ci_high``
are the spreads of ``<key>``. Other keys (e.g. an oracle row) are listed apart.
"""

from __future__ import annotations

import math
import re
from typing import Collection, Mapping

from simgan.io.tables import markdown_table

SPREAD_SUFFIXES = ("_std", "_se", "_ci_low", "_ci_high")
SOURCES = ("synthetic", "refined")
CHANGE = "refined vs synthetic"
NOTE = "± std over seeds or images, ± s.e. = standard error, [95% confidence interval]"
_SOURCE = re.compile(r"^(synthetic|refined)(?:_(\d+x))?$")

# A metric's value and its spreads {suffix: value}.
Entry = tuple[float, dict[str, float]]


def is_spread(key: str, keys: Collection[str]) -> bool:
    """Whether ``key`` is the spread (std, s.e., an interval bound) of another of ``keys``."""
    return any(key.endswith(s) and key[: -len(s)] in keys for s in SPREAD_SUFFIXES)


def format_value(value: float, spread: Mapping[str, float] | None = None) -> str:
    """``value`` to 4 significant digits with its spreads: ``± std (std)``, ``± se (s.e.)``,
    ``[low, high]``; a zero std (one seed) is left out, a non-finite value reads ``n/a``."""
    spread = spread or {}
    if not math.isfinite(value):
        return "n/a"
    text = f"{value:.4g}"
    if spread.get("_std"):
        text += f" ± {spread['_std']:.2g} (std)"
    if spread.get("_se"):
        text += f" ± {spread['_se']:.2g} (s.e.)"
    if "_ci_low" in spread and "_ci_high" in spread:
        text += f" [{spread['_ci_low']:.3g}, {spread['_ci_high']:.3g}]"
    return text


def entries(results: Mapping[str, float]) -> dict[str, Entry]:
    """Every metric of ``results`` that is not a spread, with its spreads."""
    return {key: (value, {s: results[key + s] for s in SPREAD_SUFFIXES if key + s in results})
            for key, value in results.items() if not is_spread(key, results)}


def by_source(results: Mapping[str, float]) -> tuple[dict[str, dict[str, Entry]],
                                                      dict[str, Entry]]:
    """``({label: {source: entry}}, {other key: entry})``: the label of
    ``gaze/refined_4x/error_deg`` is ``gaze/error_deg (4x)``, its source ``refined``."""
    rows: dict[str, dict[str, Entry]] = {}
    other = {}
    for key, entry in entries(results).items():
        parts = key.split("/")
        match = _SOURCE.match(parts[-2]) if len(parts) >= 3 else None
        if match is None:
            other[key] = entry
            continue
        label = "/".join(parts[:-2] + parts[-1:])
        if match.group(2):
            label += f" ({match.group(2)})"
        rows.setdefault(label, {})[match.group(1)] = entry
    return rows, other


def _change(cells: Mapping[str, Entry]) -> str:
    """The refined value relative to the raw synthetic one, in %."""
    if not all(s in cells for s in SOURCES):
        return ""
    synthetic, refined = cells["synthetic"][0], cells["refined"][0]
    if not (math.isfinite(synthetic) and math.isfinite(refined)) or synthetic == 0:
        return ""
    return f"{100.0 * (refined / synthetic - 1.0):+.1f}%"


def evaluation_table(results: Mapping[str, float], *, align: bool = False,
                     change: bool = False, other: bool = True) -> str:
    """Markdown: metric | synthetic | refined (| refined vs synthetic, with ``change``), spreads
    in the cells, sorted by metric; then, with ``other``, the keys of no source in a second
    table. ``align`` pads the columns (for a terminal or a log file)."""
    rows, rest = by_source(results)
    header = ["metric", *SOURCES] + ([CHANGE] if change else [])
    table = [[label, *(format_value(*cells[s]) if s in cells else "—" for s in SOURCES)]
             + ([_change(cells)] if change else []) for label, cells in sorted(rows.items())]
    text = markdown_table(header, table, align=align) if table else ""
    if other and rest:
        text += "\n\n" * bool(text) + markdown_table(
            ["other", "value"], [[k, format_value(*e)] for k, e in sorted(rest.items())],
            align=align)
    return text


def duration(seconds: float) -> str:
    """``42s``, ``3:05`` or ``1:02:05``, as Keras writes an ETA."""
    seconds = int(max(seconds, 0))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds}s"
