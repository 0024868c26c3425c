"""The console-script convention of tools/cli.py, through a tiny binary run as a real process:
the --seed range, the one line after Ctrl-C or SIGTERM, gin's note folded into the error line."""

import subprocess
import sys

import pytest

BINARY = """
import os, signal, sys, time
from absl import flags
from simgan.io import interrupts
from simgan.tools import cli

def define_flags():
    cli.define_seed()
    flags.DEFINE_string("signal", None, "Signal to send itself.")
    flags.DEFINE_string("fail", None, "A user error to raise.")

def main(argv):
    if flags.FLAGS.fail:
        raise ValueError(flags.FLAGS.fail
                         + "\\n  In call to configurable 'thing' (<function thing at 0x7f>)")
    interrupts.at("stage 2")
    if flags.FLAGS.signal:
        os.kill(os.getpid(), getattr(signal, flags.FLAGS.signal))
        time.sleep(30)
    print("seed", flags.FLAGS.seed)

cli.run("simgan-demo", define_flags, main)
"""


def _demo(*flags_given):
    return subprocess.run([sys.executable, "-c", BINARY, *flags_given], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_a_seed_out_of_range_is_one_line_naming_the_flag_and_the_range(seed):
    result = _demo(f"--seed={seed}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"simgan-demo: error: flag --seed={seed}: {seed} is not an integer in the range "
        "[0, 4294967295] (see --help)"]


def test_the_largest_seed_is_accepted():
    result = _demo("--seed=4294967295")
    assert result.returncode == 0 and result.stdout == "seed 4294967295\n", result.stderr


@pytest.mark.parametrize("name, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_is_one_line_saying_where_and_the_exit_status_is_128_plus_it(name, status):
    result = _demo(f"--signal={name}")
    assert result.returncode == status
    assert result.stderr.splitlines() == [
        f"simgan-demo: interrupted by {name} at stage 2; run the same command again to resume"]


def test_gin_note_on_a_user_error_is_folded_into_the_line():
    result = _demo("--fail=bad value")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "simgan-demo: error: bad value (in gin configurable 'thing')"]
