"""The runner on real tiny runs (toy dataset): kill it with SIGKILL mid-grid, rerun, and the
finished runs are skipped while the rest resume and complete; then the summary of the grid."""

import json
import signal
import subprocess
import sys
import time

import pytest

from simgan.tools.ablate import plan, runner, summary
from train_cli import TOY_PLUGIN, write_config

SEEDS = "0,1,2"


def cli(root, gin_file, *extra):
    return [sys.executable, "-m", "simgan.tools.ablate.cli", f"--output_dir={root}",
            f"--gin_file={gin_file}", f"--seeds={SEEDS}", f"--plugin={TOY_PLUGIN}", *extra]


def wait_for(predicate, timeout=120.0):
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.2)


def test_killed_grid_resumes_and_skips_finished_runs(tmp_path):
    gin_file = write_config(tmp_path)
    root = tmp_path / "grid"
    runs = plan.plan([gin_file], [], [], plan.parse_seeds(SEEDS))
    first, second = (root / r.name for r in runs[:2])

    process = subprocess.Popen(cli(root, gin_file), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: (second / runner.PLAN_FILE).exists())
        time.sleep(1.0)  # the second run's trainer is starting or training
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (first / runner.DONE_FILE).exists()
    assert not (second / runner.DONE_FILE).exists()
    assert [runner.status(str(root), r) for r in runs] == [runner.DONE, runner.INTERRUPTED,
                                                           runner.PENDING]
    finished_at = (first / runner.DONE_FILE).stat().st_mtime_ns
    time.sleep(2.0)  # the trainer of the killed runner died with it: nothing writes any more
    log_size = (second / runner.TRAIN_LOG).stat().st_size
    time.sleep(1.0)
    assert (second / runner.TRAIN_LOG).stat().st_size == log_size

    lines = []  # the rerun, in this process to save a TensorFlow start-up
    states = runner.Runner(str(root), plugins=[TOY_PLUGIN], parallel=2,
                           echo=lines.append).run_all(runs)
    assert states == {r.name: runner.DONE for r in runs}, (second / runner.TRAIN_LOG).read_text()
    assert f"[done] {runs[0].name}: skipped" in lines
    assert f"[start] {runs[1].name} (attempt 2)" in lines
    assert (first / runner.DONE_FILE).stat().st_mtime_ns == finished_at
    assert all(runner.status(str(root), r) == runner.DONE for r in runs)

    done = json.loads((second / runner.DONE_FILE).read_text())
    assert len(done["attempts"]) == 2 and done["seed"] == 1
    assert done["wall_time_s"] >= done["attempts"][-1]["elapsed_s"] > 0
    assert done["device"]["kind"] == "CPU" and done["code"]["commit"]
    assert (second / "operative_config.gin").exists()
    assert (second / "export" / "refiner.keras").exists()

    summary.write_all(str(root), runs)
    table = (root / "summary" / "summary.md").read_text()
    assert "| base | 3 |" in table  # one group, three seeds, with final losses
    assert "final D loss" in table and "steps/s" in table
    assert (root / "summary" / "samples.png").exists()
    assert (root / "summary" / "plots" / "discriminator_total.png").exists()


def test_failed_run_is_recorded_and_a_replanned_dir_refused(tmp_path):
    gin_file = write_config(tmp_path, "train.synthetic_dataset = 'no_such_dataset'\n")
    root = tmp_path / "grid"
    run = plan.plan([gin_file], [], [], [0])[0]
    assert runner.Runner(str(root), echo=lambda _: None).run_all([run]) == {run.name: runner.FAILED}
    assert runner.status(str(root), run) == runner.FAILED
    failed = json.loads((root / "base__seed=0" / runner.FAILED_FILE).read_text())
    assert failed["exit_status"] == 1 and "no_such_dataset" in failed["log_tail"]

    (root / "base__seed=0" / runner.PLAN_FILE).write_text(json.dumps(
        {"run": {**run.to_json(), "gin_params": ["x.y=1"]}, "attempts": []}))
    with pytest.raises(ValueError, match="planned differently"):
        runner.Runner(str(root)).run_one(run)


def test_commands_train_then_evaluate_each_run(tmp_path):
    run = plan.Run("v__seed=3", "v", ("/b.gin", "/v.gin"), ("a.b=1",), (("a.b", "1"),), 3)
    ablate = runner.Runner(str(tmp_path), plugins=["my.plugin"], train_flags=["--strategy=mirrored"],
                           eval_gin_files=["eval.gin"], python="py")
    model_dir = f"--model_dir={tmp_path / 'v__seed=3'}"
    assert ablate.train_command(run) == [
        "py", "-m", "simgan.tools.train", model_dir, "--gin_file=/b.gin", "--gin_file=/v.gin",
        "--gin_param=a.b=1", "--plugin=my.plugin", "--seed=3", "--strategy=mirrored"]
    assert ablate.eval_command(run) == ["py", "-m", "simgan.tools.evaluate", model_dir,
                                        "--gin_file=eval.gin", "--plugin=my.plugin", "--seed=3"]
    with pytest.raises(ValueError, match="--parallel"):
        runner.Runner(str(tmp_path), parallel=0)
