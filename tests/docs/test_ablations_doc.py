"""docs/ABLATIONS.md's Slurm array script and Kubernetes Indexed Job, copied out of the page:
each task or pod gets one shard, and together they run the documented grid exactly once."""

import os
import re
import shlex

import pytest

from simgan.tools.ablate import plan, shards

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs")
CLI_SOURCE = os.path.join(os.path.dirname(shards.__file__), "cli.py")  # not imported: no TF


def page() -> str:
    with open(os.path.join(DOCS, "ABLATIONS.md"), encoding="utf-8") as f:
        return f.read()


def flags_of(args: list[str]) -> dict[str, list[str]]:
    """``--name=value`` arguments by name (every value of a repeated flag)."""
    parsed: dict[str, list[str]] = {}
    for arg in args:
        name, _, value = arg[2:].partition("=")
        parsed.setdefault(name, []).append(value)
    return parsed


def known_flags() -> set[str]:
    with open(CLI_SOURCE, encoding="utf-8") as f:
        source = f.read()
    return set(re.findall(r'DEFINE_\w+\("(\w+)"', source)) | {"output_dir", "gin_file",
                                                               "gin_param", "plugin"}


def grid_of(flags: dict[str, list[str]]) -> list[plan.Run]:
    return plan.plan(flags["gin_file"], flags["variants"], flags.get("sweep", []),
                     plan.parse_seeds(flags["seeds"][0]), flags.get("gin_param", []))


def assert_shards_cover(grid, environments, num_shards=None):
    names = []
    for environ in environments:
        names += [r.name for r in shards.resolve(num_shards, None, environ).select(grid)]
    assert sorted(names) == sorted(r.name for r in grid)  # every run once


def test_slurm_array_script_runs_the_grid_once():
    script = re.search(r"```bash\n(#!/bin/bash\n# grid.sh.*?)```", page(), re.S).group(1)
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)\n", script).groups())
    command = shlex.split(script[script.index("exec "):].replace("\\\n", " "))
    assert command[:2] == ["exec", "simgan-ablate"]
    flags = flags_of(command[2:])
    assert set(flags) <= known_flags() and "num_shards" not in flags
    grid = grid_of(flags)
    count = last - first + 1
    assert len(grid) > count
    assert_shards_cover(grid, [{shards.SLURM_ID: str(i), shards.SLURM_MIN: str(first),
                                shards.SLURM_COUNT: str(count)} for i in range(first, last + 1)])


def test_kubernetes_indexed_job_runs_the_grid_once():
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(re.search(r"```yaml\n(.*?)```", page(), re.S).group(1))
    spec = manifest["spec"]
    assert manifest["kind"] == "Job" and spec["completionMode"] == "Indexed"
    command = spec["template"]["spec"]["containers"][0]["command"]
    assert command[0] == "simgan-ablate"
    flags = flags_of(command[1:])
    assert set(flags) <= known_flags()
    assert int(flags["num_shards"][0]) == spec["completions"]
    assert_shards_cover(grid_of(flags), [{shards.K8S_INDEX: str(i)}
                                         for i in range(spec["completions"])],
                        num_shards=spec["completions"])
