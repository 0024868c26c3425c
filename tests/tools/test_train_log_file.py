"""`simgan-train` with stdout to a file (nohup, Slurm, CI): plain lines a stage at a time, each
stage under its own heading, no colour, cursor or backspace codes, and a short closing report
naming only outputs that exist."""

import os
import re
import subprocess

from train_cli import train_command, write_config

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # any control character but the newline


def test_a_tiny_run_logged_to_a_file_reads_line_by_line(tmp_path):
    log_path = tmp_path / "train.log"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    with open(log_path, "w") as log:
        result = subprocess.run(train_command(tmp_path / "model", write_config(tmp_path),
                                              "--seed=1"),
                                stdout=log, stderr=subprocess.PIPE, text=True, timeout=300,
                                env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    text = log_path.read_text()
    assert not CONTROL.search(text), repr(text[:500])
    lines = text.splitlines()
    assert max(len(line) for line in lines) < 200
    for heading, last in [("pretrain R (steps 1-4)", "pretrain R 4/4 - "),
                          ("pretrain D (steps 5-6)", "pretrain D 2/2 - "),
                          ("adversarial (steps 7-18)", "adversarial 12/12 - ")]:
        assert heading in lines, text
        stage = [line for line in lines if line.startswith(last)]
        assert len(stage) == 1 and " steps/s - " in stage[0], text
    adversarial = next(line for line in lines if line.startswith("adversarial 12/12"))
    assert "refiner: local_adversarial " in adversarial and "self_regularization " in adversarial
    assert " - discriminator: total " in adversarial
    assert "us/step" not in text
    paths = [line.split(": ", 1)[1] for line in lines if line.startswith(("refiner: ", "grids: "))]
    assert paths and all(os.path.exists(p) for p in paths)
    assert "evaluation" not in text  # the toy run has no evaluator: no evaluation.json
