"""`simgan-ablate`: runs an ablation grid (safe to kill and rerun), then tabulates it.

    simgan-ablate --output_dir=runs/ablations --gin_file=ablations/base/cpu.gin \\
        --variants='ablations/*.gin' --sweep=refiner/self_regularization.weight=0,0.1,1,10 \\
        --seeds=0,1,2 --plugin=simgan.plugins.gaze --plugin=simgan.plugins.metrics

Each run is `simgan-train --model_dir=<output_dir>/<run name> --gin_file=<base>... --gin_file=<variant>
--gin_param=<swept binding> --seed=<seed>`; finished runs are skipped, interrupted ones resume.
Every run's configuration is parsed before the first one starts. With GPUs, `--parallel=N`
gives each run its own GPU(s) (`--gpus_per_run`, `--runs_per_gpu`). Across machines,
`--num_shards=N --shard_index=I` (or a Slurm array / Kubernetes Indexed Job) runs one shard of
the grid into a shared --output_dir; `--summary_only` merges them. The summary (tables, plots,
TensorBoard HParams) goes to <output_dir>/summary; see docs/ABLATIONS.md.
"""

from __future__ import annotations

import os
import sys

from absl import flags

from simgan.io import lock
from simgan.tools import cli
from simgan.tools.ablate import check, gpus, plan, shards

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
    flags.DEFINE_integer("num_shards", None, "Split the grid into this many shards, one per "
                         f"machine (default: ${shards.SLURM_COUNT} in a Slurm array, else 1).",
                         lower_bound=1)
    flags.DEFINE_integer("shard_index", None, "The shard this call runs, 0 .. num_shards - 1 "
                         f"(default: from ${shards.SLURM_ID} or Kubernetes' "
                         f"${shards.K8S_INDEX}).", lower_bound=0)
    flags.DEFINE_string("reference", None, "Group the summary compares every other group with, "
                        "paired by seed (default: 'baseline' when the grid has it).")
    flags.DEFINE_bool("dry_run", False, "Only check the grid's configurations and print this "
                      "shard's runs and their state.")
    flags.DEFINE_bool("summary_only", False, "Run nothing; summarize every run under "
                      "--output_dir (every shard's).")


def summarize(root: str, runs: list[plan.Run]) -> None:
    from simgan.tools.ablate import summary  # pylint: disable=import-outside-toplevel  (cli.py)

    with lock.hold(root, "--output_dir", wait=True):  # one summary writer at a time
        print(f"Summary in {summary.write_all(root, runs, FLAGS.reference)}")


def main(argv: list[str]) -> None:
    from simgan.tools.ablate import runner  # pylint: disable=import-outside-toplevel  (cli.py)

    cli.no_arguments(argv)
    root = FLAGS.output_dir
    if FLAGS.summary_only:
        if FLAGS.num_shards is not None or FLAGS.shard_index is not None:
            raise plan.PlanError("--summary_only merges every shard's runs: drop --num_shards "
                                 "and --shard_index")
        lock.prepare(root, "--output_dir")
        summarize(root, runner.load_runs(root))
        return
    grid = plan.plan(FLAGS.gin_file, FLAGS.variants, FLAGS.sweep, plan.parse_seeds(FLAGS.seeds),
                     FLAGS.gin_param)
    shard = shards.resolve(FLAGS.num_shards, FLAGS.shard_index, os.environ)
    runs = shard.select(grid)
    check.check(grid, FLAGS.plugin)  # a typo fails here, before any run starts
    if shard.count > 1:
        print(f"{shard}: {len(runs)} of the grid's {len(grid)} runs")
    if FLAGS.dry_run:
        for run in runs:
            print(f"{runner.status(root, run):12s} {run.name}")
        return
    lock.prepare(root, "--output_dir")  # a file or an unwritable folder: fail before work
    grid_runner = runner.Runner(root, plugins=FLAGS.plugin, train_flags=FLAGS.train_flag,
                                eval_gin_files=FLAGS.eval_gin_file, parallel=FLAGS.parallel,
                                gpus=gpus.parse(FLAGS.gpus) if FLAGS.gpus else None,
                                gpus_per_run=FLAGS.gpus_per_run,
                                runs_per_gpu=FLAGS.runs_per_gpu)
    states = grid_runner.run_all(runs)
    if grid_runner.stopped_by is not None:
        stopped = sorted(name for name, state in states.items() if state == runner.INTERRUPTED)
        print(f"simgan-ablate: stopped ({len(stopped)} run(s) interrupted); the same command "
              "resumes the grid", file=sys.stderr)
        sys.exit(128 + grid_runner.stopped_by)
    unfinished = [run for run in grid if runner.status(root, run) != runner.DONE]
    if shard.count > 1 and unfinished:  # the last shard to finish writes the summary
        print(f"{shard}: {len(unfinished)} run(s) of the grid unfinished; the last shard to "
              f"finish writes the summary, or: simgan-ablate --output_dir={root} "
              "--summary_only")
    else:
        summarize(root, grid)
    failed = sorted(name for name, state in states.items() if state == runner.FAILED)
    if failed:
        print(f"simgan-ablate: {len(failed)} run(s) failed (rerun to retry): "
              + ", ".join(failed), file=sys.stderr)
        sys.exit(2)


def run() -> None:
    cli.run("simgan-ablate", define_flags, main)


if __name__ == "__main__":
    run()
