"""The one Markdown-table writer (evaluation summaries, ablation tables, run reports)."""

from __future__ import annotations

import math
import re
from typing import Mapping, Sequence


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table, one line per row, without a trailing newline."""
    lines = ["| " + " | ".join(str(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


SPREADS = ("_std", "_se", "_ci_low", "_ci_high")  # suffixes of a metric's spread keys
_SOURCE = re.compile(r"^(synthetic|refined)(?:_(\d+x))?$")


def is_spread(key: str, results: Mapping[str, float]) -> bool:
    """Whether ``key`` is the spread of another key of ``results`` (``<metric>_std``, ...)."""
    return any(key.endswith(s) and key[:-len(s)] in results for s in SPREADS)


def _cell(value: float, spreads: Mapping[str, float]) -> str:
    if not math.isfinite(value):
        return "n/a"
    text = f"{value:.4g}"
    if "_std" in spreads:
        text += f" ± {spreads['_std']:.2g} (std)"
    if "_se" in spreads:
        text += f" ± {spreads['_se']:.2g} (s.e.)"
    if "_ci_low" in spreads and "_ci_high" in spreads:
        text += f" [{spreads['_ci_low']:.3g}, {spreads['_ci_high']:.3g}]"
    return text


def evaluation_table(results: Mapping[str, float]) -> str:
    """Evaluation results as Markdown: one row per metric, columns synthetic | refined, each
    metric's spreads in its cell (``0.91 [0.88, 0.93]``, ``9.5 ± 0.25 (std)``).

    Keys look like ``<evaluator>/<source>/<metric>`` with source ``synthetic`` or ``refined``
    (optionally ``_<k>x``); ``<metric>_std``, ``_se``, ``_ci_low``, ``_ci_high`` are the spreads
    of ``<metric>``. Other keys are listed in a second table below."""
    rows: dict[str, dict[str, str]] = {}
    other = []
    for key, value in results.items():
        parts = key.split("/")
        match = _SOURCE.match(parts[-2]) if len(parts) >= 3 else None
        if match is None:
            other.append((key, f"{value:.4g}"))
        elif not is_spread(key, results):
            label = "/".join(parts[:-2] + parts[-1:])
            if match.group(2):
                label += f" ({match.group(2)})"
            spreads = {s: results[key + s] for s in SPREADS if key + s in results}
            rows.setdefault(label, {})[match.group(1)] = _cell(value, spreads)
    text = markdown_table(["metric", "synthetic", "refined"],
                          [[label, cells.get("synthetic", "—"), cells.get("refined", "—")]
                           for label, cells in sorted(rows.items())])
    if other:
        text += "\n\n" + markdown_table(["other", "value"], sorted(other))
    return text + "\n"
