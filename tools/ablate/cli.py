"""`simgan-ablate`: runs an ablation grid (safe to kill and rerun), then tabulates it.

    simgan-ablate --output_dir=runs/ablations --gin_file=ablations/base/cpu.gin \\
        --variants='ablations/*.gin' --sweep=refiner/self_regularization.weight=0,0.1,1,10 \\
        --seeds=0,1,2 --plugin=simgan.plugins.gaze --plugin=simgan.plugins.metrics

Each run is `simgan-train --model_dir=<output_dir>/<run name> --gin_file=<base>... --gin_file=<variant>
--gin_param=<swept binding> --seed=<seed>`; finished runs are skipped, interrupted ones resume.
With GPUs, `--parallel=N` gives each run its own GPU(s) (`--gpus_per_run`, `--runs_per_gpu`).
The summary (tables, plots, TensorBoard HParams) goes to <output_dir>/summary; see docs/ABLATIONS.md.
"""

from __future__ import annotations

from simgan.core import cli

cli.quiet_tensorflow()

import sys  # noqa: E402

from absl import flags  # noqa: E402

from simgan.core import lock  # noqa: E402
from simgan.tools.ablate import gpus, plan, runner, summary  # noqa: E402

FLAGS = flags.FLAGS


def define_flags() -> None:
    cli.define_output_dir(what="Directory of the grid: one model dir per run, plus summary/.")
    cli.define_gin("every run starts from, e.g. ablations/base/cpu.gin or "
                   "ablations/base/paper.gin")
    flags.DEFINE_multi_string("variants", [], "Variant gin file or glob (repeatable), each one "
                              "ablation on top of the base; none = the base alone.")
    flags.DEFINE_multi_string("sweep", [], "A swept binding 'configurable.param=v1,v2,...' "
                              "(repeatable; the grid takes every combination).")
    flags.DEFINE_string("seeds", "0", "Comma-separated seeds; every variant runs once per seed.")
    cli.define_plugin()
    flags.DEFINE_multi_string("train_flag", [], "Extra simgan-train flag, e.g. "
                              "--strategy=mirrored.")
    flags.DEFINE_multi_string("eval_gin_file", [], "If given, after training run simgan-eval on "
                              "each run with these gin files (results in <run>/eval/).")
    flags.DEFINE_integer("parallel", 1, "How many runs train at once; with GPUs each gets its "
                         "own (CUDA_VISIBLE_DEVICES, round-robin over --gpus).", lower_bound=1)
    flags.DEFINE_string("gpus", None, "Comma-separated GPU ids to spread the runs over "
                        "(default: the visible ones).")
    flags.DEFINE_integer("gpus_per_run", 1, "GPUs each run gets (e.g. with "
                         "--train_flag=--strategy=mirrored).", lower_bound=1)
    flags.DEFINE_integer("runs_per_gpu", 1, "Runs sharing one GPU (group) at once, with memory "
                         "growth on.", lower_bound=1)
    flags.DEFINE_string("reference", None, "Group the summary compares every other group with, "
                        "paired by seed (default: 'baseline' when the grid has it).")
    flags.DEFINE_bool("dry_run", False, "Only print the grid and each run's state.")
    flags.DEFINE_bool("summary_only", False, "Run nothing; summarize the runs already under "
                      "--output_dir.")


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    root = FLAGS.output_dir
    if FLAGS.summary_only:
        runs = runner.load_runs(root)
    else:
        runs = plan.plan(FLAGS.gin_file, FLAGS.variants, FLAGS.sweep,
                         plan.parse_seeds(FLAGS.seeds), FLAGS.gin_param)
    if FLAGS.dry_run:
        for run in runs:
            print(f"{runner.status(root, run):12s} {run.name}")
        return
    lock.prepare(root, "--output_dir")  # a file or an unwritable folder: fail before work
    states = {}
    if not FLAGS.summary_only:
        states = runner.Runner(root, plugins=FLAGS.plugin, train_flags=FLAGS.train_flag,
                               eval_gin_files=FLAGS.eval_gin_file,
                               parallel=FLAGS.parallel,
                               gpus=gpus.parse(FLAGS.gpus) if FLAGS.gpus else None,
                               gpus_per_run=FLAGS.gpus_per_run,
                               runs_per_gpu=FLAGS.runs_per_gpu).run_all(runs)
    with lock.hold(root, "--output_dir", wait=True):  # one summary writer at a time
        out = summary.write_all(root, runs, FLAGS.reference)
    print(f"Summary in {out}")
    failed = sorted(name for name, state in states.items() if state == runner.FAILED)
    if failed:
        print(f"simgan-ablate: {len(failed)} run(s) failed (rerun to retry): "
              + ", ".join(failed), file=sys.stderr)
        sys.exit(2)


def run() -> None:
    cli.run("simgan-ablate", define_flags, main, user_errors=(plan.PlanError,))


if __name__ == "__main__":
    run()
