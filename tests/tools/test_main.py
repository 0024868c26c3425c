"""`simgan` (tools/main.py): lists its commands, dispatches to the named one, and answers a
wrong command with one line naming the close matches, without importing TensorFlow. (Each
command's --help and errors as `simgan <cmd>`: tests/tools/test_console_scripts.py.)"""

import subprocess
import sys

import pytest

from simgan.tools import main


def test_help_lists_every_command_with_one_line(capsys):
    main.dispatch(["simgan", "--help"])
    out = capsys.readouterr().out
    for name, command in main.COMMANDS.items():
        assert f"  {name}  " in out and command.summary in out
        assert [line for line in out.splitlines() if command.summary in line] == [
            line for line in out.splitlines() if line.split()[:1] == [name]]


@pytest.mark.parametrize("argv, expected", [
    (["trian"], "unknown command 'trian'; did you mean 'train'?"),
    (["component"], "did you mean 'components'"),
    (["fly"], "the commands are train, eval, refine, convert, ablate, components, vtt"),
    ([], "missing command; one of train, eval"),
    (["--seed=1", "train"], "'--seed=1' before the command"),
    (["help", "train", "eval"], "help takes at most one command"),
    (["--version", "x"], "unexpected arguments after --version: ['x']"),
])
def test_wrong_command_is_one_line(capsys, argv, expected):
    with pytest.raises(SystemExit) as exit_info:
        main.dispatch(["simgan", *argv])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("simgan: error: ") and expected in err, err


def test_listing_and_errors_import_no_tensorflow():
    code = ("import sys; from simgan.tools import main\n"
            "main.dispatch(['simgan', '--help'])\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
            "main.dispatch(['simgan', 'trian'])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        "simgan: error: unknown command 'trian'; did you mean 'train'? (see simgan --help)"]


def test_python_m_simgan_runs_a_command():
    done = subprocess.run([sys.executable, "-m", "simgan", "components", "resnet"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("[generators]") and "resnet.num_blocks = 4" in done.stdout


def test_help_command_is_the_command_help():
    done = subprocess.run([sys.executable, "-m", "simgan", "help", "components"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("`simgan components`:") and "--plugin" in done.stdout
