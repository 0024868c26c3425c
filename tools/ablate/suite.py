"""The domain suite's table: each candidate default x each sim -> real pair, over seeds.

    python -m simgan.tools.ablate.suite --output_dir=docs/results/suite \\
        --grid=eyes_cpu=runs/suite/eyes_cpu --grid=f32_sn=runs/suite/f32_sn

Each ``--grid`` is one candidate's `simgan-ablate --variants='suite/*.gin'` output dir (run
names ``<pair>__seed=<s>``); a candidate given twice pools the seeds of its folders. Per pair
and candidate: the downstream task's real-test and real-validation scores trained on raw and
on refined synthetic examples (mean ± std over seeds), the refined-minus-raw change with a
paired t-test over seeds (scipy's ``ttest_rel``), the C2ST accuracy of refined images against
the real validation split, and the runs that stopped (collapse or divergence: the health
check's message) or failed. With ``--reference=CANDIDATE`` a second table pairs every other
candidate with that one by seed on each pair: the refined scores' difference (candidate minus
reference) with a paired t-test, the test of an ablation or a candidate default (the runs of two
candidates with the same seed share their data draws). Writes ``suite.md`` and ``suite.json``
(atomically).
"""

from __future__ import annotations

from simgan.tools import cli

# A results tool, not a console script: the table's helpers need TensorFlow at import, so it is
# imported quietly first (the commands leave it to cli.run, tools/cli.py).
cli.quiet_tensorflow()

import glob  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
from typing import Mapping, Sequence  # noqa: E402

from absl import flags  # noqa: E402

from simgan.io.evaluation_file import HELDOUT_SPLITS, split_key  # noqa: E402
from simgan.io.files import atomic_write_text  # noqa: E402
from simgan.io.tables import markdown_table  # noqa: E402
from simgan.tools.ablate import paired, summary  # noqa: E402

FLAGS = flags.FLAGS
RUN_NAME = re.compile(r"^(?P<pair>.+)__seed=(?P<seed>\d+)$")
# (metric key suffix, higher is better) of the downstream evaluator's rows.
TASK_METRICS = (("accuracy", True), ("mse", False))
STOP_WORDS = ("collapsed", "discriminator wins", "saturated", "diverged", "unhealthy")


def read_grid(directory: str) -> dict[str, dict[int, dict]]:
    """``{pair: {seed: {"results": {...}} or {"failed": reason}}}`` of one candidate's grid."""
    runs: dict[str, dict[int, dict]] = {}
    for path in sorted(glob.glob(os.path.join(directory, "*__seed=*"))):
        match = RUN_NAME.match(os.path.basename(path))
        if not match or not os.path.isdir(path):
            continue
        record: dict = {}
        failed = os.path.join(path, "failed.json")
        if os.path.exists(failed):  # stopped or failed last time (removed once it succeeds)
            with open(failed) as f:
                record["failed"] = _reason(json.load(f))
        elif results := summary.read_evaluation(path):
            record["results"] = results
        else:
            continue  # not run yet
        runs.setdefault(match["pair"], {})[int(match["seed"])] = record
    return runs


def _reason(failure: Mapping) -> str:
    """The line of a failed run's log tail that says why (the health check's line if any)."""
    lines = [ln.strip() for ln in str(failure.get("log_tail", "")).splitlines() if ln.strip()]
    named = [ln for ln in lines if any(w in ln.lower() for w in STOP_WORDS)]
    return (named or lines or [f"exit status {failure.get('exit_status')}"])[-1][:200]


def _spread(values: list[float]) -> str:
    if not values:
        return "—"
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {std:.3f}"


def _done(runs: Mapping[int, dict]) -> dict[int, dict]:
    """``{seed: evaluation results}`` of the runs that finished."""
    return {s: r["results"] for s, r in sorted(runs.items()) if "results" in r}


def pair_row(candidate: str, pair: str, runs: Mapping[int, dict]) -> dict:
    """One table row: the candidate on one pair over its seeds."""
    done = _done(runs)
    row = {"candidate": candidate, "pair": pair, "seeds": sorted(runs),
           "stopped": {s: r["failed"] for s, r in sorted(runs.items()) if "failed" in r}}
    c2st = [r["c2st/refined/accuracy"] for r in done.values() if "c2st/refined/accuracy" in r]
    row["c2st_refined"] = _spread(c2st)
    row["c2st_synthetic"] = _spread([r["c2st/synthetic/accuracy"] for r in done.values()
                                     if "c2st/synthetic/accuracy" in r])
    for metric, higher in TASK_METRICS:
        for split in HELDOUT_SPLITS:
            key = split_key(split, metric)
            raw_key, ref_key = f"downstream/synthetic/{key}", f"downstream/refined/{key}"
            seeds = [s for s, r in done.items() if raw_key in r and ref_key in r]
            if not seeds:
                continue
            raw = [done[s][raw_key] for s in seeds]
            refined = [done[s][ref_key] for s in seeds]
            change = paired.difference(list(zip(refined, raw)))
            row[f"{split}_{metric}"] = {
                "raw": _spread(raw), "refined": _spread(refined),
                "change": _spread(change["diffs"]), "p": change["p"],
                "better": change["mean"] > 0 if higher else change["mean"] < 0,
                # "beyond the spread": the mean change exceeds its own std over seeds
                "beyond_spread": change["n"] > 1 and abs(change["mean"]) > change["std"],
                "oracle": _spread([done[s][f"downstream/oracle/{key}"]
                                   for s in seeds if f"downstream/oracle/{key}" in done[s]])}
    return row


def versus(runs: Mapping[int, dict], reference: Mapping[int, dict]) -> dict[str, dict]:
    """The candidate's refined scores minus the reference's on one pair, paired by the seeds both
    finished: ``{"<split>_<metric>" or "c2st_refined": paired.difference + "better"}``."""
    done, base = _done(runs), _done(reference)
    keys = [(f"{split}_{metric}", f"downstream/refined/{split_key(split, metric)}", higher)
            for metric, higher in TASK_METRICS
            for split in HELDOUT_SPLITS]
    # Lower C2ST accuracy: the refined images are harder to tell from real ones.
    keys.append(("c2st_refined", "c2st/refined/accuracy", False))
    compared = {}
    for name, key, higher in keys:
        pairs = [(done[s][key], base[s][key]) for s in sorted(set(done) & set(base))
                 if key in done[s] and key in base[s]]
        if pairs:
            d = paired.difference(pairs)
            compared[name] = {**d, "better": d["mean"] > 0 if higher else d["mean"] < 0}
    return compared


def versus_table(rows: Sequence[dict], reference: str) -> str:
    """The Markdown table of every row's ``vs_reference``, with the note saying how to read it."""
    header = ["pair", "candidate", "paired seeds", "task (split)",
              f"refined: candidate − {reference} (p)", f"C2ST refined: candidate − {reference}"]
    body = []
    for row in sorted(rows, key=lambda r: (r["pair"], r["candidate"])):
        compared = row.get("vs_reference")
        if compared is None:
            continue
        c2st = paired.cell(compared.get("c2st_refined"))
        tasks = [(k, v) for k, v in compared.items() if k != "c2st_refined"]
        seeds = max((v["n"] for v in compared.values()), default=0)
        common = [row["pair"], row["candidate"], str(seeds)]
        if not tasks:
            body.append(common + ["— (realism only)", "", c2st])
        for key, v in tasks:
            body.append(common + [key.replace("_", " ", 1), paired.cell(v), c2st])
    note = (f"Each candidate's refined score minus `{reference}`'s on the same pair, paired by "
            "seed: mean ± sample std of the per-seed differences, paired t-test p; **bold**: "
            f"p < {paired.SIGNIFICANCE} (beyond the seed spread). Accuracy: higher is better; "
            "mse and C2ST: lower is.")
    return markdown_table(header, body) + "\n\n" + note


def read_grids(directories: Sequence[str]) -> dict[str, dict[int, dict]]:
    """`read_grid` of one candidate's grids pooled (e.g. seeds 3 and 4 run later into a second
    folder); a pair's seed found in two of them is an error."""
    pooled: dict[str, dict[int, dict]] = {}
    for directory in directories:
        for pair, runs in read_grid(directory).items():
            again = sorted(set(runs) & set(pooled.get(pair, {})))
            if again:
                raise ValueError(f"--grid {directory!r}: {pair} seed(s) {again} also in another "
                                 "folder of the same candidate")
            pooled.setdefault(pair, {}).update(runs)
    return pooled


def table(grids: Mapping[str, Sequence[str]],
          reference: str | None = None) -> tuple[str, list[dict]]:
    """The Markdown table(s) and rows for ``{candidate: [grid dir, ...]}``; with a ``reference``
    candidate, each other row also holds ``vs_reference`` (`versus`) and a second table shows it."""
    if reference is not None and reference not in grids:
        raise ValueError(f"--reference: no candidate {reference!r} among --grid; candidates: "
                         + ", ".join(grids))
    read = {candidate: read_grids(directories) for candidate, directories in grids.items()}
    rows = []
    for candidate, pairs in read.items():
        for pair, runs in sorted(pairs.items()):
            rows.append(pair_row(candidate, pair, runs))
            if reference is not None and candidate != reference and pair in read[reference]:
                rows[-1]["vs_reference"] = versus(runs, read[reference][pair])
    header = ["pair", "candidate", "seeds", "stopped", "task (split)", "raw synthetic",
              "refined", "refined − raw (p)", "oracle", "C2ST refined (raw)"]
    body = []
    for row in sorted(rows, key=lambda r: (r["pair"], r["candidate"])):
        stopped = f"{len(row['stopped'])}" if row["stopped"] else "0"
        tasks = [(k, v) for k, v in row.items() if isinstance(v, dict) and "raw" in v]
        common = [row["pair"], row["candidate"], str(len(row["seeds"])), stopped]
        c2st = f"{row['c2st_refined']} ({row['c2st_synthetic']})"
        if not tasks:
            body.append(common + ["— (realism only)", "", "", "", "", c2st])
        for key, v in tasks:
            p = "" if v["p"] != v["p"] else f" (p={v['p']:.2g})"
            body.append(common + [key.replace("_", " ", 1), v["raw"], v["refined"],
                                  v["change"] + p, v["oracle"], c2st])
    markdown = markdown_table(header, body)
    if reference is not None:
        markdown += "\n\n" + versus_table(rows, reference)
    return markdown, rows


def define_flags() -> None:
    cli.define_output_dir(what="Where suite.md and suite.json go.")
    flags.DEFINE_multi_string("grid", [], "CANDIDATE=DIR: one candidate's suite grid "
                              "(repeatable; a candidate named twice pools its folders' seeds).")
    flags.DEFINE_string("reference", None, "A --grid CANDIDATE to pair every other candidate "
                        "with, by seed, on each pair (a second table); default: none.")


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    grids = {}
    for entry in FLAGS.grid:
        name, _, directory = entry.partition("=")
        if not name or not os.path.isdir(directory):
            raise cli.UserError(f"--grid: expected CANDIDATE=DIR with an existing DIR, got "
                                f"{entry!r}")
        grids.setdefault(name, []).append(directory)
    if not grids:
        raise cli.UserError("--grid: give at least one CANDIDATE=DIR")
    markdown, rows = table(grids, FLAGS.reference)
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    atomic_write_text(os.path.join(FLAGS.output_dir, "suite.md"), markdown + "\n")
    atomic_write_text(os.path.join(FLAGS.output_dir, "suite.json"),
                      json.dumps(rows, indent=2, default=str) + "\n")
    print(markdown)


def run() -> None:
    cli.run("simgan-suite-table", define_flags, main)


if __name__ == "__main__":
    run()
