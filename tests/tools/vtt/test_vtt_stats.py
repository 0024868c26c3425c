"""Statistics: accuracy, confusion matrix and the exact two-sided binomial test, checked by hand."""

import csv
import io
import math
from fractions import Fraction

import pytest

from simgan.tools.vtt import stats


def exact_two_sided(correct: int, n: int) -> float:
    """The two-sided binomial p at 1/2 from first principles: by symmetry, twice the tail."""
    k = max(correct, n - correct)
    tail = sum(Fraction(math.comb(n, i), 2 ** n) for i in range(k, n + 1))
    return float(min(Fraction(1), 2 * tail))


@pytest.mark.parametrize("correct,n", [(9, 10), (517, 1000), (162, 200), (5, 10), (3, 20)])
def test_p_value_matches_the_exact_binomial(correct, n):
    assert stats.Tally(n, correct).p_value() == pytest.approx(exact_two_sided(correct, n),
                                                              rel=1e-9)


def test_known_cases():
    assert stats.Tally(10, 9).p_value() == pytest.approx(22 / 1024, rel=1e-12)
    assert stats.Tally(1000, 517).sentence() == "517 of 1000 correct, p = 0.297"
    assert stats.Tally(200, 162).sentence() == "162 of 200 correct, p = 2.0e-19"
    assert stats.Tally(0, 0).sentence() == "0 of 0 correct, p = n/a"
    # The one-sided test (better than chance) halves the symmetric two-sided p.
    assert stats.Tally(1000, 517).p_value("greater") == pytest.approx(0.148344675, rel=1e-6)


def answer(participant, truth, response, position=0):
    return {"participant": participant, "position": position, "image_id": "0" * 16,
            "image_name": "a.png", "truth": truth, "response": response, "response_ms": 250,
            "server_ms": None, "answered_at": 0.0}


def test_summary_confusion_and_participants():
    answers = ([answer(1, "real", "real")] * 3 + [answer(1, "refined", "real")] +
               [answer(2, "refined", "refined")] * 2 + [answer(2, "real", "refined")])
    summary = stats.summarize(answers, progress=[(1, 4), (2, 4), (3, 4)])
    assert summary.overall == stats.Tally(7, 5)
    assert summary.confusion == {("real", "real"): 3, ("real", "refined"): 1,
                                 ("refined", "real"): 1, ("refined", "refined"): 2}
    assert summary.participants == [(1, 4, stats.Tally(4, 3)), (2, 4, stats.Tally(3, 2)),
                                    (3, 4, stats.Tally(0, 0))]
    report = stats.format_report(summary)
    assert report.startswith(f"Overall: 5 of 7 correct, p = {exact_two_sided(5, 7):.3f}\n")
    assert "P003: 0/4 answered, 0 of 0 correct, p = n/a" in report
    assert "truly real           3        1" in report


def test_csv_exports():
    answers = [answer(1, "real", "real", 0), answer(1, "refined", "real", 1)]
    rows = list(csv.DictReader(io.StringIO(stats.answers_csv(answers))))
    assert [r["correct"] for r in rows] == ["1", "0"] and rows[0]["server_ms"] == ""
    assert rows[0]["answered_at"] == "1970-01-01T00:00:00.000+00:00"
    summary = stats.summarize(answers, [(1, 2)])
    table = list(csv.DictReader(io.StringIO(stats.participants_csv(summary))))
    assert [r["participant"] for r in table] == ["1", "all"]
    assert table[1]["correct"] == "1" and table[1]["accuracy"] == "0.5000"
    assert float(table[1]["p_two_sided"]) == pytest.approx(1.0)
