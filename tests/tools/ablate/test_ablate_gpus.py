"""GPU assignment of a grid, checked on CPU through the environment each run receives."""

import json
import stat
import subprocess
import sys

import pytest

from simgan.tools.ablate import gpus, plan, runner

# Stands in for `python -m simgan.tools.train`: records its GPU environment and when it ran.
FAKE_PYTHON = f"""#!{sys.executable}
import json, os, sys, time
model_dir = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--model_dir="))
start = time.time()
time.sleep(0.5)
with open(os.path.join(model_dir, "env.json"), "w") as f:
    json.dump({{"cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
               "growth": os.environ.get("TF_FORCE_GPU_ALLOW_GROWTH"),
               "start": start, "end": time.time()}}, f)
"""


def acquired(assigner, n):
    return [assigner.acquire() for _ in range(n)]


def test_round_robin_one_gpu_per_run():
    slots = acquired(gpus.Assigner(["0", "1", "2"], parallel=3), 3)
    assert slots == [{gpus.CUDA_ENV: "0"}, {gpus.CUDA_ENV: "1"}, {gpus.CUDA_ENV: "2"}]


def test_groups_of_gpus_per_run_leave_the_odd_one_out():
    assigner = gpus.Assigner(["4", "5", "6", "7", "8"], parallel=2, gpus_per_run=2)
    assert [s[gpus.CUDA_ENV] for s in acquired(assigner, 2)] == ["4,5", "6,7"]


def test_several_runs_per_gpu_turn_memory_growth_on():
    assigner = gpus.Assigner(["0", "1"], parallel=4, runs_per_gpu=2)
    assert acquired(assigner, 4) == [{gpus.CUDA_ENV: g, gpus.GROWTH_ENV: "true"}
                                     for g in ("0", "1", "0", "1")]


def test_a_released_slot_is_handed_out_again():
    assigner = gpus.Assigner(["0", "1"], parallel=2)
    first, _ = acquired(assigner, 2)
    assigner.release(first)
    assert assigner.acquire() == first


def test_more_parallel_runs_than_slots_is_an_error():
    with pytest.raises(ValueError, match="--parallel=3: 1 group.* at most 2 at once"):
        gpus.Assigner(["0", "1"], parallel=3, gpus_per_run=2, runs_per_gpu=2)
    with pytest.raises(ValueError, match="--gpus_per_run=3: only 2 GPU"):
        gpus.Assigner(["0", "1"], parallel=1, gpus_per_run=3)


def test_cpu_machine_assigns_nothing_but_growth_when_parallel():
    assert gpus.Assigner([], parallel=2).acquire() == {gpus.GROWTH_ENV: "true"}
    assert gpus.Assigner([], parallel=1).acquire() == {}


def test_visible_gpus_follow_cuda_visible_devices():
    assert gpus.visible({}, 2) == ["0", "1"]
    assert gpus.visible({gpus.CUDA_ENV: "3, 5"}, 2) == ["3", "5"]
    assert gpus.visible({gpus.CUDA_ENV: "-1"}, 0) == []
    assert gpus.visible({gpus.CUDA_ENV: ""}, 0) == []
    with pytest.raises(ValueError, match="--gpus: expected distinct"):
        gpus.parse("0,0")


@pytest.mark.parametrize("runs_per_gpu", [1, 2])
def test_each_run_receives_its_gpu_and_records_it(tmp_path, runs_per_gpu):
    fake = tmp_path / "fake_python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    runs = plan.plan([], [], [], list(range(6)))
    grid = runner.Runner(str(tmp_path / "grid"), parallel=2 * runs_per_gpu, gpus=["0", "1"],
                         runs_per_gpu=runs_per_gpu, python=str(fake), echo=lambda _: None)
    assert set(grid.run_all(runs).values()) == {runner.DONE}

    seen = []
    for run in runs:
        directory = tmp_path / "grid" / run.name
        env = json.loads((directory / "env.json").read_text())
        done = json.loads((directory / runner.DONE_FILE).read_text())
        assert done["assignment"].get(gpus.CUDA_ENV) == env["cuda"] in ("0", "1")
        assert env["growth"] == ("true" if runs_per_gpu > 1 else None)
        seen.append(env)
    for gpu in ("0", "1"):  # never more runs at once on a GPU than asked
        spans = sorted((e["start"], e["end"]) for e in seen if e["cuda"] == gpu)
        for i, (start, _) in enumerate(spans):
            assert sum(1 for s, e in spans[:i] if e > start) < runs_per_gpu
    assert {e["cuda"] for e in seen} == {"0", "1"}


def test_cli_refuses_more_parallel_runs_than_gpu_slots(tmp_path):
    base = tmp_path / "base.gin"
    base.write_text("simgan.iterations = 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "simgan.tools.ablate.cli", f"--output_dir={tmp_path / 'grid'}",
         f"--gin_file={base}", "--parallel=3", "--gpus=0,1"], capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "simgan-ablate: error: --parallel=3: 2 group(s) of 1 GPU(s) with --runs_per_gpu=1 run "
        "at most 2 at once")
