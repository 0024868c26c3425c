"""The study's statistics: accuracy, confusion matrix and the binomial test against chance.

The headline has the paper's form, "517 of 1000 correct, p = ...", with p from the exact two-sided
binomial test of the number of correct answers against chance (success probability 1/2).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
from typing import Iterable, Sequence

from scipy import stats

from simgan.tools.vtt.images import DOMAINS

ANSWER_COLUMNS = ("participant", "position", "image_id", "image_name", "truth", "response",
                  "correct", "response_ms", "server_ms", "answered_at")


def format_p(p: float) -> str:
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1e}"


@dataclasses.dataclass(frozen=True)
class Tally:
    """`correct` right answers out of `n`."""

    n: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    def p_value(self, alternative: str = "two-sided") -> float | None:
        """Exact binomial test against chance; None without answers."""
        if not self.n:
            return None
        return float(stats.binomtest(self.correct, self.n, 0.5, alternative=alternative).pvalue)

    def sentence(self) -> str:
        """The paper's form: "517 of 1000 correct, p = 0.297" (two-sided)."""
        if not self.n:
            return "0 of 0 correct, p = n/a"
        return f"{self.correct} of {self.n} correct, p = {format_p(self.p_value())}"


@dataclasses.dataclass(frozen=True)
class Summary:
    overall: Tally
    participants: list[tuple[int, int, Tally]]  # (participant, questions, tally)
    confusion: dict[tuple[str, str], int]  # (truth, response) -> count


def summarize(answers: Iterable[dict], progress: Sequence[tuple[int, int]] = ()) -> Summary:
    """Summarizes answer rows (dicts with participant, truth, response) from Store.answers().

    `progress` lists (participant, questions) so participants without answers still show up.
    """
    per: dict[int, list[int]] = {participant: [0, 0] for participant, _ in progress}
    confusion = {(truth, response): 0 for truth in DOMAINS for response in DOMAINS}
    for answer in answers:
        counts = per.setdefault(answer["participant"], [0, 0])
        counts[0] += 1
        counts[1] += answer["truth"] == answer["response"]
        confusion[(answer["truth"], answer["response"])] += 1
    totals = dict(progress)
    participants = [(p, totals.get(p, n), Tally(n, c)) for p, (n, c) in sorted(per.items())]
    overall = Tally(sum(t.n for *_, t in participants), sum(t.correct for *_, t in participants))
    return Summary(overall, participants, confusion)


def _percent(tally: Tally) -> str:
    return "-" if tally.accuracy is None else f"{100 * tally.accuracy:.1f}%"


def format_report(summary: Summary) -> str:
    """The report the `report` command prints and the results page shows."""
    overall = summary.overall
    lines = [f"Overall: {overall.sentence()}",
             f"  accuracy {_percent(overall)} (chance 50%); two-sided exact binomial test"]
    if overall.n:
        lines.append(f"  one-sided p (better than chance) = {format_p(overall.p_value('greater'))}")
    lines += ["", "Confusion matrix (rows: truth, columns: response):",
              f"  {'':14}{'real':>8}{'refined':>9}"]
    for truth in DOMAINS:
        row = "".join(f"{summary.confusion[(truth, r)]:>{w}}" for r, w in zip(DOMAINS, (8, 9)))
        lines.append(f"  {'truly ' + truth:14}{row}")
    lines += ["", "Per participant:"]
    for participant, questions, tally in summary.participants:
        lines.append(f"  P{participant:03d}: {tally.n}/{questions} answered, {tally.sentence()}"
                     f" ({_percent(tally)})")
    return "\n".join(lines) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180's line end; the csv module then quotes any cell holding a \r or a \n, which would
# otherwise end the row early in a reader.
CSV_LINE_END = "\r\n"


def _cells(row: Sequence) -> list:
    """``row`` with every text cell that starts with = + - @, a tab or a carriage return
    prefixed by ' (OWASP, "CSV Injection"), so that a spreadsheet shows it as text instead of
    running it as a formula; numbers are left as they are."""
    return ["'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
            for cell in row]


def answers_csv(answers: Iterable[dict]) -> str:
    """One row per answer; times in ms, `answered_at` in UTC ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END)
    writer.writerow(ANSWER_COLUMNS)
    for a in answers:
        when = datetime.datetime.fromtimestamp(a["answered_at"], datetime.timezone.utc)
        writer.writerow(_cells([a["participant"], a["position"], a["image_id"], a["image_name"],
                                a["truth"], a["response"], int(a["truth"] == a["response"]),
                                "" if a["response_ms"] is None else a["response_ms"],
                                "" if a["server_ms"] is None else a["server_ms"],
                                when.isoformat(timespec="milliseconds")]))
    return out.getvalue()


def participants_csv(summary: Summary) -> str:
    """One row per participant, then one `all` row; p is the two-sided binomial test."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END)
    writer.writerow(("participant", "questions", "answered", "correct", "accuracy", "p_two_sided"))
    rows = [(p, q, t) for p, q, t in summary.participants]
    rows.append(("all", sum(q for _, q, _ in rows), summary.overall))
    for participant, questions, tally in rows:
        p = tally.p_value()
        writer.writerow(_cells([participant, questions, tally.n, tally.correct,
                                "" if tally.accuracy is None else f"{tally.accuracy:.4f}",
                                "" if p is None else f"{p:.6g}"]))
    return out.getvalue()
