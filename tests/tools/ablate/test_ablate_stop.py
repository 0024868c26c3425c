"""A grid refuses a typo before any run starts, and Ctrl-C stops it cleanly: the trainer is
interrupted (not failed) and the next call resumes it."""

import json
import signal
import subprocess
import sys
import time

from simgan.io import provenance
from simgan.tools.ablate import plan, runner
from train_cli import TOY_CONFIG, TOY_PLUGIN, write_config


def ablate(root, *extra):
    return [sys.executable, "-m", "simgan.tools.ablate.cli", f"--output_dir={root}",
            f"--plugin={TOY_PLUGIN}", *extra]


def test_a_typo_in_a_variant_fails_before_any_run_naming_file_and_binding(tmp_path):
    base = write_config(tmp_path)
    good = write_config(tmp_path, "resnet.num_blocks = 2\n", "good.gin")
    typo = write_config(tmp_path, "train.batch_size = 4\nresnet.num_blockz = 2\n", "typo.gin")
    result = subprocess.run(ablate(tmp_path / "grid", f"--gin_file={base}",
                                   f"--variants={good}", f"--variants={typo}"),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simgan-ablate: error: run typo__seed=0:")
    assert "'num_blockz'" in lines[0] and f'In file "{typo}", line 2' in lines[0]
    assert not (tmp_path / "grid").exists()  # no run started, not even the good variant's


def test_ctrl_c_interrupts_the_run_and_the_next_call_resumes_it(tmp_path):
    gin_file = write_config(tmp_path, TOY_CONFIG.replace("simgan.iterations = 4",
                                                         "simgan.iterations = 10"))
    root = tmp_path / "grid"
    run = plan.plan([gin_file], [], [], [0])[0]
    process = subprocess.Popen(ablate(root, f"--gin_file={gin_file}"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    log = root / run.name / runner.TRAIN_LOG
    deadline = time.time() + 300
    while "pretrain R" not in (log.read_text() if log.exists() else ""):  # it trains
        assert time.time() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGINT, err
    assert "[stopping] SIGINT: 1 running run(s)" in out
    assert f"[interrupted] {run.name}: exit status" in out
    assert err.strip().splitlines()[-1] == ("simgan-ablate: stopped (1 run(s) interrupted); the "
                                            "same command resumes the grid")
    assert runner.status(str(root), run) == runner.INTERRUPTED
    assert not (root / run.name / runner.FAILED_FILE).exists()
    attempts = json.loads((root / run.name / runner.PLAN_FILE).read_text())["attempts"]
    assert attempts[0]["interrupted"] in runner.INTERRUPTED_EXITS

    lines = []  # the next call, in this process to save a TensorFlow start-up
    states = runner.Runner(str(root), plugins=[TOY_PLUGIN], echo=lines.append).run_all([run])
    assert states == {run.name: runner.DONE}, log.read_text()[-3000:]
    assert f"[start] {run.name} (attempt 2)" in lines
    # The grid's plan and simgan-train's own record of the run live side by side: the resume
    # compared seed and precision with a record the runner had not overwritten.
    record = json.loads((root / run.name / provenance.RUN_FILE).read_text())
    assert record["seed"] == 0 and "precision" in record and "simgan" in record
    assert json.loads((root / run.name / runner.PLAN_FILE).read_text())["run"] == run.to_json()
