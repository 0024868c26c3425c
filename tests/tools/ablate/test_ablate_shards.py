"""One grid across machines: the shard a call runs (flags, a Slurm array, a Kubernetes Indexed
Job), a deterministic split, and two shards run at once into one output dir, then merged."""

import os
import subprocess
import sys

import pytest

from simgan.tools.ablate import plan, runner, shards, summary
from train_cli import TOY_PLUGIN, write_config

SLURM = {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_STEP": "2",
         "SLURM_ARRAY_TASK_COUNT": "4"}  # --array=1-7:2, task 5: shard 2 of 4


@pytest.mark.parametrize("flags, environ, expected", [
    ((None, None), {}, (0, 1)),
    ((3, 1), {}, (1, 3)),
    ((None, None), SLURM, (2, 4)),
    ((None, None), {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"}, (0, 2)),
    ((5, None), {"JOB_COMPLETION_INDEX": "4"}, (4, 5)),
    ((4, None), SLURM, (2, 4)),  # the same count as the array's: no clash
    ((2, 1), SLURM, (1, 2)),  # both flags win over the environment
    ((None, 3), SLURM, (3, 4)),  # the index flag wins, the count is the array's
    ((None, None), {**SLURM, "JOB_COMPLETION_INDEX": "2"}, (2, 4)),
])
def test_shard_from_flags_or_the_scheduler(flags, environ, expected):
    shard = shards.resolve(*flags, environ)
    assert (shard.index, shard.count) == expected


@pytest.mark.parametrize("flags, environ, message", [
    ((None, 1), {}, "give --num_shards"),
    ((2, None), {}, "give --shard_index"),
    ((None, None), {"JOB_COMPLETION_INDEX": "1"}, "JOB_COMPLETION_INDEX=1: give --num_shards"),
    ((3, None), SLURM, "--num_shards=3 but SLURM_ARRAY_TASK_COUNT=4"),
    ((2, 2), {}, "shard 2 \\(--shard_index\\) of 2"),
    ((None, None), {**SLURM, "JOB_COMPLETION_INDEX": "0"}, "name different shards"),
    ((None, None), {**SLURM, "SLURM_ARRAY_TASK_ID": "4"}, "not on the array's range"),
    ((None, None), {"SLURM_ARRAY_TASK_ID": "x"}, "SLURM_ARRAY_TASK_ID='x': expected an integer"),
])
def test_shard_clashes_are_one_line_errors(flags, environ, message):
    with pytest.raises(shards.ShardError, match=message):
        shards.resolve(*flags, environ)


def test_shards_split_the_grid_the_same_way_every_time():
    grid = [f"run{i}" for i in range(7)]
    parts = [shards.Shard(i, 3).select(grid) for i in range(3)]
    assert parts == [["run0", "run3", "run6"], ["run1", "run4"], ["run2", "run5"]]
    assert sorted(sum(parts, [])) == grid


def ablate(root, gin_file, *extra):
    return [sys.executable, "-m", "simgan.tools.ablate.cli", f"--output_dir={root}",
            f"--gin_file={gin_file}", "--seeds=0,1", f"--plugin={TOY_PLUGIN}", *extra]


def test_two_shards_at_once_into_one_dir_then_merged(tmp_path):
    gin_file = write_config(tmp_path)
    root = tmp_path / "grid"
    first = subprocess.Popen(ablate(root, gin_file), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env={**_environ(), "SLURM_ARRAY_TASK_ID": "0",
                                  "SLURM_ARRAY_TASK_COUNT": "2"})
    second = subprocess.run(ablate(root, gin_file, "--num_shards=2", "--shard_index=1"),
                            capture_output=True, text=True, timeout=600, env=_environ())
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, err + second.stderr
    assert "shard 0 of 2 (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT): 1 of the grid's 2" in out
    assert "shard 1 of 2 (flags): 1 of the grid's 2 runs" in second.stdout
    runs = plan.plan([gin_file], [], [], [0, 1])
    assert [runner.status(str(root), r) for r in runs] == [runner.DONE, runner.DONE]
    assert f"[start] {runs[0].name}" in out and runs[1].name not in out
    assert f"[start] {runs[1].name}" in second.stdout and runs[0].name not in second.stdout
    # the shard that finished last saw the whole grid done and wrote the summary
    assert sum("Summary in" in text for text in (out, second.stdout)) >= 1
    assert sum("unfinished" in text for text in (out, second.stdout)) <= 1
    (root / "summary" / "summary.md").unlink()

    merged = summary.write_all(str(root), runner.load_runs(str(root)))  # --summary_only's merge
    assert "| base | 2 |" in (root / "summary" / "summary.md").read_text() and merged


def _environ():
    """This environment without a scheduler's shard variables."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("SLURM_ARRAY") and k != shards.K8S_INDEX}
