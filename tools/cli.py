"""The one convention of the console scripts, modelled on tensorflow/models official/common/flags.py.

Each binary defines its absl flags in a function that only its `run()` calls (so importing a
module defines no flag), with the shared definers below for shared meanings, and runs its main
through `run`. A binary's module imports at its top only what does not pull in TensorFlow,
and its `main` imports the rest (tests/tools/test_console_scripts.py checks it): ``--help``
and a bad flag answer before TensorFlow is imported (a fraction of a second instead of ten),
and `run` imports TensorFlow quietly just before `main`. A user error prints
``simgan-<cmd>: error: <message>`` once and exits 1, without a traceback (``--verbosity=1``
logs it); a bad flag does the same. Ctrl-C and SIGTERM stop it with one line saying where,
and the status 130 or 143 (io/interrupts.py). Run as ``simgan <cmd>`` (the dispatcher,
tools/main.py), the binary names itself so in its errors and --help.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Callable, Sequence

from absl import app, flags, logging

from simgan.configs import parsing
from simgan.core import registry
from simgan.io import interrupts
from simgan.plugins import extras, loading

FLAGS = flags.FLAGS
HELP_FLAGS = {"--help", "-help", "-h", "-?", "--helpshort", "--helpfull", "--helpxml"}
SEED_RANGE = (0, 2**32 - 1)  # what NumPy, Keras and tf.random accept
RESUME = "run the same command again to resume"
STARTING = "start-up (importing TensorFlow)"


class UserError(Exception):
    """A problem the user can fix (bad input, a failed run); shown as one line."""


# What a user can fix: bad values and files, gin errors, unknown components, plugins that do
# not load, missing pip extras, and the domain errors that derive from UserError.
USER_ERRORS = (ValueError, OSError, parsing.ConfigError, registry.UnknownComponentError,
               loading.PluginError, extras.MissingExtraError, app.UsageError, UserError)


def quiet_tensorflow(argv: Sequence[str] | None = None) -> None:
    """Imports TensorFlow with its C++ log lines silenced, unless ``TF_CPP_MIN_LOG_LEVEL`` asks
    for a level below 3 or the user asked for a verbose log (``--verbosity``/``-v``).

    Call it before anything imports TensorFlow (`run` does, before the binary's main). Level 3
    hides the false alarms of a healthy run (e.g. the E-level "failed call to cuInit" on a
    machine without a GPU); TensorFlow 2.21 also prints its start-up lines (oneDNN, CUDA
    probing) before it reads the level, so the import itself writes to /dev/null. Level 3 is
    also what a command leaves in the environment of the commands it starts (simgan-ablate's
    runs), which therefore import quietly too. A failed import still raises with its traceback.
    """
    argv = sys.argv[1:] if argv is None else argv
    verbose = any(a.startswith(("--verbosity", "-v")) for a in argv)
    if verbose or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3") != "3" or \
            "tensorflow" in sys.modules:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        import tensorflow  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def define_gin(config_help: str = "configures the run") -> None:
    flags.DEFINE_multi_string("gin_file", [], f"Gin config file that {config_help} (repeatable); "
                              "relative paths are also looked up in the shipped configs/ folder.")
    flags.DEFINE_multi_string("gin_param", [], "Gin binding, e.g. simgan.iterations=10 "
                              "(repeatable; applied after the files).")


def define_plugin() -> None:
    flags.DEFINE_multi_string("plugin", [], "Extra plugin module (dotted name or .py path) to "
                              "load (repeatable).")


def define_seed(what: str = "initialization, data order and sampling") -> None:
    flags.DEFINE_integer("seed", 0, f"Seed for {what}; the same seed gives the same result on "
                         "the same machine (CPU).", lower_bound=SEED_RANGE[0],
                         upper_bound=SEED_RANGE[1])


def define_model_dir(required: bool = True, what: str = "Where checkpoints, summaries, grids "
                     "and exports go.") -> None:
    flags.DEFINE_string("model_dir", None, what)
    if required:
        flags.mark_flag_as_required("model_dir")


def define_output_dir(required: bool = True, what: str = "Where the results go.") -> None:
    flags.DEFINE_string("output_dir", None, what)
    if required:
        flags.mark_flag_as_required("output_dir")


# gin's note on an error raised inside a configurable, with the function's address.
_GIN_NOTE = re.compile(r"\s*In call to configurable '([^']+)' \(<[^>]*>\)")


def error(command: str, message: object) -> None:
    """Prints ``<command>: error: <message>`` (one line) and exits 1."""
    text = _GIN_NOTE.sub(r" (in gin configurable '\1')", str(message))
    text = " ".join(text.split()) or type(message).__name__
    print(f"{command}: error: {text}", file=sys.stderr)
    sys.exit(1)


def stopped(command: str, interrupt: KeyboardInterrupt, then: str = RESUME) -> None:
    """Prints ``<command>: interrupted by <signal> at <where>; <then>`` (one line) and exits
    with 128 + the signal number (a plain KeyboardInterrupt counts as SIGINT)."""
    stop = interrupt if isinstance(interrupt, interrupts.Interrupted) else \
        interrupts.Interrupted(interrupts.SIGNALS[0])
    place = interrupts.where()
    if sys.stdout.isatty():  # after a progress bar's unfinished line
        print(file=sys.stdout, flush=True)
    print(f"{command}: interrupted by {stop}{f' at {place}' if place else ''}; {then}",
          file=sys.stderr, flush=True)
    sys.stdout.flush()
    # Everything was unwound and written by now (locks released, atomic writes finished or
    # removed). Exit without the interpreter's shutdown: with a tf.data iterator cut off
    # mid-element, TensorFlow's teardown can wait forever on the iterator's threads.
    os._exit(stop.exit_status)


def no_arguments(argv: Sequence[str]) -> None:
    """Rejects positional arguments (every binary takes flags only)."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments {list(argv[1:])}; every option is a --flag "
                             "(see --help)")


def _invoked_as(command: str) -> str:
    """``simgan <cmd>`` when the `simgan` dispatcher (tools/main.py) runs ``simgan-<cmd>``: it
    sets ``sys.argv[0]`` to that name; else ``command`` itself."""
    dispatched = command.replace("simgan-", "simgan ", 1)
    return dispatched if sys.argv[0] == dispatched else command


def _describe_binary(doc: str | None, names: set[str], command: str, shown: str) -> None:
    """Makes ``--help`` print the binary's docstring and its own flags: absl shows the
    ``__main__`` module's docstring and the flags keyed to ``sys.argv[0]``, which for a console
    script are an empty wrapper and nothing. Dispatched, ``__main__`` is the dispatcher (whose
    docstring describes `simgan`) and the docstring names the binary as ``shown``."""
    main_module = sys.modules["__main__"]
    if shown != command:
        main_module.__doc__ = re.sub(rf"\b{re.escape(command)}\b", shown, doc or "")
    elif not main_module.__doc__:
        main_module.__doc__ = doc
    for name in sorted(names):
        FLAGS.register_key_flag_for_module(sys.argv[0], FLAGS[name])


def run(command: str, define_flags: Callable[[], None], main: Callable[[list[str]], None],
        interrupted: str = RESUME) -> None:
    """Defines the binary's flags, parses them and runs ``main`` with the error convention;
    ``command`` is the binary's console script, ``simgan-<cmd>``; ``interrupted`` is what the
    line after Ctrl-C or SIGTERM tells the user to do (while TensorFlow is still importing:
    that nothing was written)."""
    restore = interrupts.install()
    try:
        _run(command, define_flags, main)
    except KeyboardInterrupt as e:
        stopped(command, e, interrupted if interrupts.where() != STARTING else
                "nothing was written")
    finally:
        restore()


def _run(command: str, define_flags: Callable[[], None],
         main: Callable[[list[str]], None]) -> None:
    defined_before = set(FLAGS)
    define_flags()
    shown = _invoked_as(command)
    _describe_binary(sys.modules[main.__module__].__doc__, set(FLAGS) - defined_before, command,
                     shown)
    command = shown

    def parse(argv: list[str]) -> list[str]:
        try:
            return FLAGS(argv)
        except flags.Error as e:
            error(command, f"{e} (see --help)")
        except SystemExit as e:  # absl's --help/--helpfull print the usage, then exit 1
            if e.code == 1 and set(argv[1:]) & HELP_FLAGS:
                sys.exit(0)
            raise

    def guarded(argv: list[str]) -> None:
        interrupts.at(STARTING)
        quiet_tensorflow()
        interrupts.at(None)
        try:
            main(argv)
        except USER_ERRORS as e:
            logging.debug("%s failed", command, exc_info=True)
            error(command, e)

    app.run(guarded, flags_parser=parse)
