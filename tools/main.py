"""`simgan`: one command for every tool, ``simgan <command> [--flags]``.

Each command is exactly the program of its alias `simgan-<command>` (its ``run()``), which names
itself ``simgan <command>`` in its --help and errors (tools/cli.py). `simgan --help` lists the
commands; `simgan <command> --help` describes one. Nothing heavy is imported before a command
is chosen, so the listing and its errors are instant.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from typing import NamedTuple, Sequence

PROGRAM = "simgan"
HELP = {"--help", "-help", "-h", "help"}


class Command(NamedTuple):
    target: str  # "module:function", as the alias's console script in setup.py
    summary: str


COMMANDS: dict[str, Command] = {
    "train": Command("simgan.tools.train:run",
                     "train a gin-composed model into --model_dir (resumes if it exists)"),
    "eval": Command("simgan.tools.evaluate:run",
                    "run evaluators on a trained model dir or an exported refiner"),
    "refine": Command("simgan.tools.refine:run",
                      "refine a registered dataset with an exported refiner into TFRecords"),
    "convert": Command("simgan.tools.convert:run",
                       "convert a registered dataset into TFRecord shards"),
    "ablate": Command("simgan.tools.ablate.cli:run",
                      "run an ablation grid of trainings, then tabulate it"),
    "components": Command("simgan.tools.components:run",
                          "list the registered components and their parameters"),
    "vtt": Command("simgan.tools.vtt.cli:run",
                   "serve a visual Turing test study, or report its results"),
    "build-ops": Command("simgan.tools.build_ops:run",
                         "compile the declared custom op libraries"),
}


def usage() -> str:
    """The text of `simgan --help`: the commands, one line each."""
    width = max(map(len, COMMANDS))
    lines = [f"usage: {PROGRAM} <command> [--flags]   (or: python -m {PROGRAM} <command> ...)",
             "", "commands:"]
    lines += [f"  {name:<{width}}  {command.summary}" for name, command in COMMANDS.items()]
    lines += ["", f"`{PROGRAM} <command> --help` describes a command and its flags; "
              f"`{PROGRAM}-<command>` is the same program.", "", "options:",
              "  -h, --help            show this list",
              "  help <command>        the same as <command> --help",
              "  --version             print the version"]
    return "\n".join(lines)


def error(message: str) -> None:
    """Prints ``simgan: error: <message>`` (one line) and exits 1."""
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)
    sys.exit(1)


def unknown(name: str) -> str:
    """The error for a command that does not exist, with the close matches if any."""
    close = difflib.get_close_matches(name, COMMANDS, n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(map(repr, close))}?" if close
            else f"the commands are {', '.join(COMMANDS)}")
    return f"unknown command {name!r}; {hint} (see {PROGRAM} --help)"


def dispatch(argv: Sequence[str]) -> None:
    """Runs the command named by ``argv[1]`` with the rest of ``argv`` as its arguments."""
    if len(argv) < 2:
        error(f"missing command; one of {', '.join(COMMANDS)} (see {PROGRAM} --help)")
    name, arguments = argv[1], list(argv[2:])
    if name in HELP and arguments:  # `simgan help train` is `simgan train --help`
        if len(arguments) > 1:
            error(f"{name} takes at most one command, got {arguments}")
        name, arguments = arguments[0], ["--help"]
    elif name in HELP or name == "--version":
        if arguments:
            error(f"unexpected arguments after {name}: {arguments}")
        if name in HELP:
            print(usage())
        else:
            from simgan import __version__  # pylint: disable=import-outside-toplevel
            print(f"{PROGRAM} {__version__}")
        return
    if name.startswith("-"):
        error(f"{name!r} before the command; flags go after it: {PROGRAM} <command> {name} "
              f"(see {PROGRAM} --help)")
    if name not in COMMANDS:
        error(unknown(name))
    module, function = COMMANDS[name].target.split(":")
    # The command's program sees itself as `simgan <command>` (tools/cli.py reads sys.argv).
    sys.argv = [f"{PROGRAM} {name}", *arguments]
    getattr(importlib.import_module(module), function)()


def run() -> None:
    """The `simgan` console script."""
    dispatch(sys.argv)


if __name__ == "__main__":
    run()
