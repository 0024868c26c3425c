"""`simgan-ablate`: runs an ablation grid (safe to kill and rerun), then tabulates it.

    simgan-ablate --root=runs/ablations --base=ablations/base/cpu.gin \\
        --variants='ablations/*.gin' --sweep=train.self_regularization_weight=0,0.1,1,10 \\
        --seeds=0,1,2 --plugin=simgan.plugins.gaze --plugin=simgan.plugins.metrics

Each run is `simgan-train --model_dir=<root>/<run name> --gin_file=<base>... --gin_file=<variant>
--gin_param=<swept binding> --seed=<seed>`; finished runs are skipped, interrupted ones resume.
With GPUs, `--parallel=N` gives each run its own GPU(s) (`--gpus_per_run`, `--runs_per_gpu`).
The summary (tables, plots, TensorBoard HParams) goes to <root>/summary; see docs/ABLATIONS.md.
"""

from __future__ import annotations

import sys

from absl import app, flags

from simgan.core import lock
from simgan.tools.ablate import gpus, plan, runner, summary

flags.DEFINE_string("root", None, "Directory of the grid: one model dir per run, plus summary/.")
flags.DEFINE_multi_string("base", [], "Gin file(s) every run starts from (repeatable), e.g. "
                          "ablations/base/cpu.gin or ablations/base/paper.gin.")
flags.DEFINE_multi_string("variants", [], "Variant gin file or glob (repeatable), each one "
                          "ablation on top of the base; none = the base alone.")
flags.DEFINE_multi_string("sweep", [], "A swept binding 'configurable.param=v1,v2,...' "
                          "(repeatable; the grid takes every combination).")
flags.DEFINE_string("seeds", "0", "Comma-separated seeds; every variant runs once per seed.")
flags.DEFINE_multi_string("gin_param", [], "A binding applied to every run (repeatable).")
flags.DEFINE_multi_string("plugin", [], "Plugin module passed on to simgan-train (repeatable).")
flags.DEFINE_multi_string("train_flag", [], "Extra simgan-train flag, e.g. --strategy=mirrored.")
flags.DEFINE_multi_string("eval_gin_file", [], "If given, after training run simgan-eval on "
                          "each run with these gin files (results in <run>/eval/).")
flags.DEFINE_integer("parallel", 1, "How many runs train at once; with GPUs each gets its own "
                     "(CUDA_VISIBLE_DEVICES, round-robin over --gpus).", lower_bound=1)
flags.DEFINE_string("gpus", None, "Comma-separated GPU ids to spread the runs over (default: "
                    "the visible ones).")
flags.DEFINE_integer("gpus_per_run", 1, "GPUs each run gets (e.g. with "
                     "--train_flag=--strategy=mirrored).", lower_bound=1)
flags.DEFINE_integer("runs_per_gpu", 1, "Runs sharing one GPU (group) at once, with memory "
                     "growth on.", lower_bound=1)
flags.DEFINE_bool("dry_run", False, "Only print the grid and each run's state.")
flags.DEFINE_bool("summary_only", False, "Run nothing; summarize the runs already under --root.")
flags.mark_flag_as_required("root")
FLAGS = flags.FLAGS


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    try:
        if FLAGS.summary_only:
            runs = runner.load_runs(FLAGS.root)
        else:
            runs = plan.plan(FLAGS.base, FLAGS.variants, FLAGS.sweep, plan.parse_seeds(FLAGS.seeds),
                             FLAGS.gin_param)
        if FLAGS.dry_run:
            for run in runs:
                print(f"{runner.status(FLAGS.root, run):12s} {run.name}")
            return
        lock.prepare(FLAGS.root, "--root")  # a file or an unwritable folder: fail before work
        states = {}
        if not FLAGS.summary_only:
            states = runner.Runner(FLAGS.root, plugins=FLAGS.plugin, train_flags=FLAGS.train_flag,
                                   eval_gin_files=FLAGS.eval_gin_file,
                                   parallel=FLAGS.parallel,
                                   gpus=gpus.parse(FLAGS.gpus) if FLAGS.gpus else None,
                                   gpus_per_run=FLAGS.gpus_per_run,
                                   runs_per_gpu=FLAGS.runs_per_gpu).run_all(runs)
        with lock.hold(FLAGS.root, "--root", wait=True):  # one summary writer at a time
            out = summary.write_all(FLAGS.root, runs)
    except (plan.PlanError, ValueError, OSError) as e:
        print(f"simgan-ablate: error: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"Summary in {out}")
    failed = sorted(name for name, state in states.items() if state == runner.FAILED)
    if failed:
        print(f"simgan-ablate: {len(failed)} run(s) failed (rerun to retry): "
              + ", ".join(failed), file=sys.stderr)
        sys.exit(2)


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
