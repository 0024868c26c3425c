"""The evaluation table: a row per metric, sources as columns, spreads beside their value."""

import math

from simgan.io import report
from simgan.io.tables import markdown_table

RESULTS = {
    "gaze/synthetic_4x/error_deg": 9.5, "gaze/synthetic_4x/error_deg_std": 0.25,
    "gaze/refined_4x/error_deg": 8.25, "gaze/refined_4x/error_deg_std": 0.0,
    "kid/refined/kid": 0.125, "kid/refined/kid_se": 0.01,
    "turing/refined/accuracy": 0.91, "turing/refined/accuracy_ci_low": 0.88,
    "turing/refined/accuracy_ci_high": 0.93, "gaze/oracle_1x/error_deg": 3.0,
    "gaze/oracle_1x/error_deg_std": 0.5, "misc": math.nan}


def test_values_carry_their_spreads_and_a_zero_std_is_left_out():
    assert report.format_value(0.91, {"_ci_low": 0.88, "_ci_high": 0.93}) == "0.91 [0.88, 0.93]"
    assert report.format_value(8.25, {"_std": 0.0}) == "8.25"
    assert report.format_value(9.5, {"_std": 0.25, "_se": 0.1}) == "9.5 ± 0.25 (std) ± 0.1 (s.e.)"
    assert report.format_value(math.inf) == "n/a"


def test_rows_by_source_and_the_rest_apart():
    rows, other = report.by_source(RESULTS)
    assert rows == {"gaze/error_deg (4x)": {"synthetic": (9.5, {"_std": 0.25}),
                                            "refined": (8.25, {"_std": 0.0})},
                    "kid/kid": {"refined": (0.125, {"_se": 0.01})},
                    "turing/accuracy": {"refined": (0.91, {"_ci_low": 0.88, "_ci_high": 0.93})}}
    assert set(other) == {"gaze/oracle_1x/error_deg", "misc"}


def test_table_with_change_column_and_other_metrics():
    text = report.evaluation_table(RESULTS, change=True)
    assert text.splitlines()[:5] == [
        "| metric | synthetic | refined | refined vs synthetic |", "|---|---|---|---|",
        "| gaze/error_deg (4x) | 9.5 ± 0.25 (std) | 8.25 | -13.2% |",
        "| kid/kid | — | 0.125 ± 0.01 (s.e.) |  |",
        "| turing/accuracy | — | 0.91 [0.88, 0.93] |  |"]
    assert text.endswith(markdown_table(["other", "value"], [
        ["gaze/oracle_1x/error_deg", "3 ± 0.5 (std)"], ["misc", "n/a"]]))
    assert report.evaluation_table({"misc": 1.0}, other=False) == ""


def test_aligned_markdown_pads_every_column():
    lines = markdown_table(["a", "long header"], [["wide cell", 1], ["x"]], align=True).split("\n")
    assert lines == ["| a         | long header |", "|-----------|-------------|",
                     "| wide cell | 1           |", "| x         |"]


def test_duration_reads_like_an_eta():
    assert [report.duration(s) for s in (0, 59.9, 61, 3725)] == ["0s", "59s", "1:01",
                                                                   "1:02:05"]
