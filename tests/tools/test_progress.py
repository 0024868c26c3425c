"""Progress by stage: plain lines for files (one per stage every interval, each stage under its
own heading, no control codes), Keras bars on a terminal, and the closing report."""

import re
import time
import types

import pytest

from simgan.tools import progress
from simgan.core.engine.task import Stage

STAGES = (Stage("pretrain R", 0, 4, ("refiner/total",)),
          Stage("pretrain D", 4, 6, ("discriminator/total",)),
          Stage("adversarial", 6, 18, ("refiner/total", "discriminator/total")))
VALUES = {"refiner/total": 0.5, "discriminator/total": 1.25, "not/shown": 3.0}
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class Clock:
    """time.monotonic, advanced by the test: one second per step."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progress, "time", types.SimpleNamespace(monotonic=fake))
    return fake


def run(bar, clock, steps):
    done = bar.clock_step
    for step in steps:
        clock.now += step - done
        bar.update(step, VALUES)
        done = step


def test_plain_lines_per_stage_with_losses_rate_and_eta(capsys, clock, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    bar = progress.StageProgress(STAGES, 0, interval=2.5)
    run(bar, clock, range(1, 19))
    out = capsys.readouterr().out
    assert not CONTROL.search(out)
    lines = out.splitlines()
    assert lines[0] == "pretrain R (steps 1-4)"
    # steps 1 and 2 are within the interval; step 3 is 3 s after the heading; 4 ends the stage
    assert lines[1] == "pretrain R 3/4 - refiner: total 0.5 - 1 steps/s - ETA 1s"
    assert lines[2] == "pretrain R 4/4 - refiner: total 0.5 - 1 steps/s - 4s"
    assert lines[3] == "pretrain D (steps 5-6)"
    assert lines[4] == "pretrain D 2/2 - discriminator: total 1.25 - 1 steps/s - 2s"
    assert lines[5] == "adversarial (steps 7-18)"
    assert lines[-1] == ("adversarial 12/12 - refiner: total 0.5 - discriminator: total 1.25 "
                         "- 1 steps/s - 12s")
    assert lines[6] == ("adversarial 3/12 - refiner: total 0.5 - discriminator: total 1.25 "
                        "- 1 steps/s - ETA 9s")
    assert len(lines) == 6 + 4  # a line every 3 steps (2.5 s), the last one at the end


def test_a_call_across_stages_closes_each_under_its_own_heading(capsys, clock):
    bar = progress.StageProgress(STAGES, 0, interval=100.0)
    run(bar, clock, [3, 10, 18])
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "pretrain R (steps 1-4)",
        # closed by the call 3 -> 10, with the values of its last update (step 3)
        "pretrain R 4/4 - refiner: total 0.5 - 1 steps/s - 4s",
        "pretrain D (steps 5-6)",  # ran inside that call: no values of its own
        "pretrain D 2/2 - 1 steps/s - 2s",
        "adversarial (steps 7-18)",
        "adversarial 12/12 - refiner: total 0.5 - discriminator: total 1.25 - 1 steps/s - 12s"]


def test_a_resumed_run_starts_at_its_step(capsys, clock):
    bar = progress.StageProgress(STAGES, 12, interval=0.0)
    run(bar, clock, [15, 18])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["Resuming at step 12 of 18",
                         "adversarial (steps 7-18, resuming after step 12)"]
    assert lines[2].startswith("adversarial 9/12 - ") and lines[2].endswith("1 steps/s - ETA 3s")
    progress.StageProgress(STAGES, 18)  # nothing left: where it resumes, no stage
    assert capsys.readouterr().out == "Resuming at step 18 of 18\n"


@pytest.mark.parametrize("tty, env, plain", [
    (True, {}, False), (False, {}, True), (True, {"NO_COLOR": "1"}, True),
    (True, {"NO_COLOR": ""}, False), (True, {"TERM": "dumb"}, True)])
def test_plain_output_off_a_terminal_or_when_asked(monkeypatch, tty, env, plain):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    class Stream:
        def isatty(self):
            return tty

    assert progress.plain_output(Stream()) is plain


def test_terminal_bars_first_update_is_timed_from_the_stage_start(capsys, monkeypatch):
    monkeypatch.setattr(progress, "plain_output", lambda stream: False)
    monkeypatch.setattr("keras.src.utils.io_utils.is_interactive_logging_enabled", lambda: True)
    bar = progress.StageProgress(STAGES, 0)
    time.sleep(0.2)  # 4 steps in 0.2 s: 50 ms a step, not the microseconds of a fresh bar
    bar.update(4, VALUES)
    out = capsys.readouterr().out
    assert out.startswith("pretrain R (steps 1-4)\n")
    assert "4/4" in out and "ms/step" in out and "us/step" not in out
    assert out.endswith("\npretrain D (steps 5-6)\n")  # the next heading on its own line


def test_final_report_is_short_aligned_and_names_only_existing_paths(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "evaluation.json").write_text("[]")
    results = {"gaze/synthetic_1x/error_deg": 8.0, "gaze/synthetic_1x/error_deg_std": 0.0,
               "gaze/refined_1x/error_deg": 6.0, "gaze/refined_1x/error_deg_std": 0.0,
               "c2st/refined/accuracy": 0.91, "c2st/refined/accuracy_ci_low": 0.88,
               "c2st/refined/accuracy_ci_high": 0.93, "gaze/oracle_1x/error_deg": 3.0}
    paths = {"refiner": str(tmp_path / "export"), "grids": str(tmp_path / "grids"),
             "evaluation": str(tmp_path / "evaluation.json"), "TensorBoard": str(tmp_path)}
    text = progress.final_report(results, paths)
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len({len(line) for line in table}) == 1  # aligned
    assert len(table) == 2 + 2
    assert any("| c2st/accuracy" in line and "0.91 [0.88, 0.93]" in line for line in table)
    assert any("| gaze/error_deg (1x)" in line and "| -25.0%" in line for line in table)
    assert "_std" not in text and "_ci_" not in text and "±" not in table[2] + table[3]
    assert f"1 other metric(s) in {tmp_path / 'evaluation.json'}" in lines
    assert f"refiner: {tmp_path / 'export'}" in lines
    assert f"TensorBoard: tensorboard --logdir={tmp_path}" in lines
    assert "grids" not in text
    assert progress.final_report({}, {"evaluation": str(tmp_path / "none.json")}) == ""
