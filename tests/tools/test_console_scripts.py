"""Every console script follows the one CLI convention (tools/cli.py): --help works, a bad flag
and a bad file each give one `simgan-<cmd>: error: ...` line and exit 1, with no traceback; the
same holds for each as `simgan <cmd>` (tools/main.py), which names itself so; and importing any
simgan module defines no flag."""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MISSING = "/nonexistent/simgan_missing"
# A bad file for each binary, with whatever else it requires.
BAD_FILE = {
    "simgan-train": ["--model_dir={tmp}/m", f"--gin_file={MISSING}.gin"],
    "simgan-components": [f"--plugin={MISSING}.py"],
    "simgan-vtt": ["report", f"--results={MISSING}"],
    "simgan-convert": ["--source=eye_simulator", "--output_dir={tmp}/c", f"--gin_file={MISSING}.gin"],
    "simgan-build-ops": [f"--plugin={MISSING}.py"],
    "simgan-ablate": ["--output_dir={tmp}/a", f"--gin_file={MISSING}.gin"],
    "simgan-eval": [f"--refiner={MISSING}.keras"],
    "simgan-refine": [f"--refiner={MISSING}.keras", "--source=eye_simulator",
                      "--output_dir={tmp}/r", f"--gin_file={MISSING}.gin"],
}


def console_scripts() -> dict[str, str]:
    """setup.py's console scripts (read from the source: an installed copy may be stale)."""
    text = open(os.path.join(REPO, "setup.py")).read()
    return dict(re.findall(r'"(simgan-[\w-]+)=(simgan\.[\w.]+:\w+)"', text))


# Each alias `simgan-<cmd>` and its command `simgan <cmd>` (run as `python -m simgan <cmd>`);
# the command's errors take the alias's path, so a bad flag checks the name they carry.
# Two commands stand for all (one dispatcher): the rest of the matrix is start-up time.
DISPATCHED = {name: name.replace("simgan-", "simgan ", 1) for name in ("simgan-train",
                                                                       "simgan-refine")}
PROGRAMS = sorted(BAD_FILE) + sorted(DISPATCHED.values())
ERRORS = [(name, kind, named) for name in PROGRAMS
          for kind, named in (("bad_flag", "no_such_flag"), ("bad_file", "simgan_missing"))
          if name in BAD_FILE or kind == "bad_flag"]


def test_every_console_script_is_covered():
    assert set(console_scripts()) == set(BAD_FILE)


def test_every_alias_is_its_command():
    from simgan.tools import main
    assert {f"simgan-{name}": command.target for name, command in main.COMMANDS.items()} == \
        console_scripts()


def _run(name: str, args: list[str]) -> subprocess.CompletedProcess:
    if name in DISPATCHED.values():
        command = [sys.executable, "-m", "simgan", *name.split()[1:]]
    else:
        module, function = console_scripts()[name].split(":")
        code = f"import sys; sys.argv[0] = {name!r}; from {module} import {function}; {function}()"
        command = [sys.executable, "-c", code]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Each program run with --help and its bad inputs (concurrently: start-up bound)."""
    tmp = str(tmp_path_factory.mktemp("cli"))
    jobs = {(name, "help"): ["--help"] for name in PROGRAMS}
    jobs.update({(name, kind): ["--no_such_flag=1"] if kind == "bad_flag" else
                 [a.format(tmp=tmp) for a in BAD_FILE[name]] for name, kind, _ in ERRORS})
    with ThreadPoolExecutor(4) as pool:
        futures = {key: pool.submit(_run, key[0], args) for key, args in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("name", PROGRAMS)
def test_help_works(results, name):
    done = results[name, "help"]
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    # The binary's docstring and its own flags, not only absl's "Try --helpfull" line.
    assert f"`{name}`" in done.stdout, done.stdout[:2000]
    own_flags = re.findall(r"^\s+--(?:\[no\])?(\w+)", done.stdout, re.M)
    assert set(own_flags) - {"helpfull", "helpshort", "helpxml", "help"}, done.stdout[:2000]


@pytest.mark.parametrize("name, kind, named", ERRORS)
def test_user_errors_are_one_line(results, name, kind, named):
    done = results[name, kind]
    assert done.returncode == 1, (done.stdout + done.stderr)[-2000:]
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith(f"{name}: error: "), done.stderr[-2000:]
    assert named in errors[0] and "Traceback" not in done.stderr


def test_a_command_started_by_a_command_is_quiet_too():
    """A command leaves TF_CPP_MIN_LOG_LEVEL=3 to the commands it starts (simgan-ablate's runs,
    or a test process that ran one in-process): their TensorFlow import stays quiet."""
    done = subprocess.run([sys.executable, "-m", "simgan.tools.build_ops",
                           f"--plugin={MISSING}.py"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"simgan-build-ops: error: --plugin '{MISSING}.py': no such file"], done.stderr[-2000:]


def test_a_command_module_imports_no_tensorflow():
    """--help and a bad flag answer without TensorFlow (tools/cli.py): each binary's module
    leaves the import to its main."""
    modules = sorted({target.split(":")[0] for target in console_scripts().values()})
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'scipy', 'matplotlib') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"


def test_importing_simgan_modules_defines_no_flag():
    code = """
import pkgutil, importlib
from absl import flags
import simgan.core, simgan.plugins, simgan.tools
for package in (simgan.core, simgan.plugins, simgan.tools):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
print(sorted(m for m in flags.FLAGS.flags_by_module_dict() if "simgan" in m))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
