"""Runs a planned grid, one `simgan-train` process per run, resumable and safe to kill.

Every run lives in ``<root>/<run name>/``, which is also its --model_dir. The state of the grid
is only what these directories hold, so the runner keeps nothing in memory worth losing:

- ``plan.json``: the plan of the run (gin files, bindings, seed), written before it starts
  (simgan-train's own ``run.json`` beside it is the engine's record: seed, precision, version);
- ``done.json``: written atomically when training (and the optional simgan-eval pass) ended
  with success, with the code version at the start of that last attempt, the device and the
  GPU assignment (``CUDA_VISIBLE_DEVICES``, memory growth; tools/ablate/gpus.py); its
  presence is what "finished" means, and a finished run is skipped;
- ``failed.json``: the last failure (exit status, log tail); the run is retried on the next call;
  an attempt ended by SIGINT or SIGTERM (exit status -2/-15, or 130/143 from a clean stop) is
  no failure: it is recorded as interrupted in ``plan.json`` and resumes on the next call;
- ``train.log`` / ``eval.log``: the output of the subprocesses, appended across attempts;
- ``.lock``: an flock held while a runner works on the run, so two runners never train it twice.

An interrupted run is simply started again: simgan-train resumes from the model dir's latest
checkpoint. Children die with the runner (PR_SET_PDEATHSIG), so a killed runner leaves no
trainer writing into a directory that the next runner will pick up. A SIGINT (Ctrl-C) or SIGTERM
to the runner while it runs the grid is passed on once to each trainer (they run in sessions of
their own, so a terminal's Ctrl-C reaches them only this way), no further run starts, and the
runner returns when they have stopped; a second signal kills them (SIGKILL).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Iterator, Sequence

from simgan.io.files import atomic_write_text
from simgan.tools.ablate import gpus as gpus_lib, provenance
from simgan.tools.ablate.plan import Run

PLAN_FILE, DONE_FILE, FAILED_FILE, LOCK_FILE = "plan.json", "done.json", "failed.json", ".lock"
TRAIN_LOG, EVAL_LOG = "train.log", "eval.log"
PENDING, DONE, FAILED, INTERRUPTED, RUNNING = "pending", "done", "failed", "interrupted", "running"
HEARTBEAT_S = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# A child stopped by SIGINT/SIGTERM: killed by it, or exiting 128 + its number after a clean stop.
INTERRUPTED_EXITS = frozenset([-s for s in STOP_SIGNALS] + [128 + s for s in STOP_SIGNALS])


def _write_json(path: str, record: dict) -> None:
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def _read_json(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not valid JSON ({e})") from e


# Looked up here, not in the child, so nothing between fork and exec takes a lock. Without
# prctl (not Linux) a killed runner's children outlive it; the run's lock still keeps a second
# runner off the run until they end.
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL when the runner (thread) that started it dies."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def status(root: str, run: Run) -> str:
    """The state of ``run`` as its directory tells it."""
    directory = os.path.join(root, run.name)
    if os.path.exists(os.path.join(directory, DONE_FILE)):
        return DONE
    if os.path.exists(os.path.join(directory, LOCK_FILE)):
        with open(os.path.join(directory, LOCK_FILE), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return RUNNING
    if os.path.exists(os.path.join(directory, FAILED_FILE)):
        return FAILED
    return INTERRUPTED if os.path.exists(os.path.join(directory, PLAN_FILE)) else PENDING


class Runner:
    """Trains (and optionally evaluates) each run of a grid under ``root``."""

    def __init__(self, root: str, *, plugins: Sequence[str] = (),
                 train_flags: Sequence[str] = (), eval_gin_files: Sequence[str] = (),
                 parallel: int = 1, gpus: Sequence[str] | None = None, gpus_per_run: int = 1,
                 runs_per_gpu: int = 1, python: str = sys.executable,
                 echo: Callable[[str], None] = print):
        """``gpus``: the GPU ids to hand out (default: the visible ones)."""
        if parallel < 1:
            raise ValueError(f"--parallel: expected >= 1, got {parallel}")
        self.root = os.path.abspath(root)
        self.plugins, self.train_flags = list(plugins), list(train_flags)
        self.eval_gin_files = list(eval_gin_files)
        self.parallel, self.python, self.echo = parallel, python, echo
        self.gpus, self.gpus_per_run, self.runs_per_gpu = gpus, gpus_per_run, runs_per_gpu
        self._device: dict | None = None
        self._assigner: gpus_lib.Assigner | None = None
        self.stopped_by: int | None = None  # the signal that stopped the grid, if one did
        self._children: set[subprocess.Popen] = set()
        self._children_lock = threading.Lock()

    def device(self) -> dict:
        """The device, looked up once per runner."""
        if self._device is None:
            self._device = provenance.device()
        return self._device

    def assigner(self) -> gpus_lib.Assigner:
        """The GPU slots of this runner, built once (checks --parallel against them)."""
        if self._assigner is None:
            ids = (list(self.gpus) if self.gpus is not None
                   else gpus_lib.visible(os.environ, len(self.device()["gpus"])))
            self._assigner = gpus_lib.Assigner(ids, parallel=self.parallel,
                                               gpus_per_run=self.gpus_per_run,
                                               runs_per_gpu=self.runs_per_gpu)
        return self._assigner

    def train_command(self, run: Run) -> list[str]:
        return [self.python, "-m", "simgan.tools.train",
                f"--model_dir={os.path.join(self.root, run.name)}",
                *(f"--gin_file={f}" for f in run.gin_files),
                *(f"--gin_param={p}" for p in run.gin_params),
                *(f"--plugin={p}" for p in self.plugins), f"--seed={run.seed}", *self.train_flags]

    def eval_command(self, run: Run) -> list[str]:
        return [self.python, "-m", "simgan.tools.evaluate",
                f"--model_dir={os.path.join(self.root, run.name)}",
                *(f"--gin_file={f}" for f in self.eval_gin_files),
                *(f"--plugin={p}" for p in self.plugins), f"--seed={run.seed}"]

    def run_all(self, runs: Sequence[Run]) -> dict[str, str]:
        """Runs every unfinished run; returns {name: final status}. A SIGINT or SIGTERM stops
        the grid (see the module's docstring); ``stopped_by`` then holds its number."""
        os.makedirs(self.root, exist_ok=True)
        self.assigner()
        results = {}
        todo = []
        for run in runs:
            state = status(self.root, run)
            if state in (DONE, RUNNING):
                self.echo(f"[{state}] {run.name}: skipped")
                results[run.name] = state
            else:
                todo.append(run)
        with self._stopping_on_signals(), \
                concurrent.futures.ThreadPoolExecutor(max_workers=self.parallel) as pool:
            for run, state in zip(todo, pool.map(self.run_one, todo)):
                results[run.name] = state
        return results

    @contextlib.contextmanager
    def _stopping_on_signals(self) -> Iterator[None]:
        """While the grid runs (in the main thread): SIGINT and SIGTERM stop it."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.signal(s, self._on_signal) for s in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_signal(self, number: int, frame: object) -> None:
        """The first signal is passed on to every running trainer; a second kills them."""
        del frame
        with self._children_lock:
            forward = signal.SIGKILL if self.stopped_by is not None else number
            if self.stopped_by is None:
                self.stopped_by = number
                self.echo(f"[stopping] {signal.Signals(number).name}: {len(self._children)} "
                          "running run(s) stop at a safe point, no new run starts (a second "
                          "signal kills them)")
            for child in self._children:
                child.send_signal(forward)

    def run_one(self, run: Run) -> str:
        """Trains (or resumes) one run under its lock; writes done.json or failed.json."""
        directory = os.path.join(self.root, run.name)
        if self.stopped_by is not None:
            return status(self.root, run)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, LOCK_FILE), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.echo(f"[running] {run.name}: another runner holds it, skipped")
                return RUNNING
            if os.path.exists(os.path.join(directory, DONE_FILE)):
                return DONE
            return self._run_locked(run, directory)

    def _run_locked(self, run: Run, directory: str) -> str:
        plan_file = os.path.join(directory, PLAN_FILE)
        attempts = []
        if os.path.exists(plan_file):
            planned = _read_json(plan_file)
            if Run.from_json(planned["run"]) != run:
                raise ValueError(f"{plan_file}: this directory holds a run planned differently "
                                 f"({planned['run']}); use another --output_dir or remove it")
            attempts = planned["attempts"]
        assignment = self.assigner().acquire()
        try:
            if self.stopped_by is not None:  # stopped while waiting for a GPU
                return INTERRUPTED if attempts else PENDING
            return self._attempt(run, directory, attempts, assignment)
        finally:
            self.assigner().release(assignment)

    def _attempt(self, run: Run, directory: str, attempts: list, assignment: dict) -> str:
        plan_file = os.path.join(directory, PLAN_FILE)
        attempt = {"started": time.time(), "elapsed_s": 0.0, "assignment": assignment}
        attempts.append(attempt)
        commands = [self.train_command(run)] + ([self.eval_command(run)]
                                                if self.eval_gin_files else [])

        def record() -> None:  # a heartbeat: a killed attempt's time is known within HEARTBEAT_S
            attempt["elapsed_s"] = time.time() - attempt["started"]
            _write_json(plan_file, {"run": run.to_json(), "attempts": attempts,
                                   "commands": commands})

        record()
        code = provenance.code_version()  # per attempt: the checkout may move under a grid
        on = f" on GPU {assignment[gpus_lib.CUDA_ENV]}" if gpus_lib.CUDA_ENV in assignment else ""
        self.echo(f"[start] {run.name} (attempt {len(attempts)}){on}")
        for command, log_name in zip(commands, (TRAIN_LOG, EVAL_LOG)):
            log_path = os.path.join(directory, log_name)
            exit_status = (self._call(command, log_path, record, assignment)
                           if self.stopped_by is None else -self.stopped_by)
            if exit_status in INTERRUPTED_EXITS or (exit_status and self.stopped_by):
                attempt["interrupted"] = exit_status
                record()
                if os.path.exists(os.path.join(directory, FAILED_FILE)):  # an older attempt's
                    os.unlink(os.path.join(directory, FAILED_FILE))
                self.echo(f"[interrupted] {run.name}: exit status {exit_status}; the next call "
                          "resumes it")
                return INTERRUPTED
            if exit_status != 0:
                _write_json(os.path.join(directory, FAILED_FILE), {
                    "exit_status": exit_status, "command": command, "log": log_path,
                    "log_tail": _tail(log_path), "time": time.time()})
                self.echo(f"[failed] {run.name}: exit status {exit_status}, see {log_path}")
                return FAILED
        record()
        wall = sum(a["elapsed_s"] for a in attempts)
        _write_json(os.path.join(directory, DONE_FILE), {
            **run.to_json(), "code": code, "device": self.device(), "assignment": assignment,
            "wall_time_s": wall,
            "attempts": attempts, "finished": time.time(),
            "operative_config": "operative_config.gin", "commands": commands})
        if os.path.exists(os.path.join(directory, FAILED_FILE)):
            os.unlink(os.path.join(directory, FAILED_FILE))
        self.echo(f"[done] {run.name} in {wall:.0f} s")
        return DONE

    def _call(self, command: list[str], log_path: str, heartbeat: Callable[[], None],
              assignment: dict[str, str]) -> int:
        """Runs ``command`` with its output appended to ``log_path`` and the GPU ``assignment``
        in its environment; returns its exit status."""
        env = gpus_lib.environment(assignment)
        with open(log_path, "ab") as log:
            log.write(f"\n$ {' '.join(command)}\n".encode())
            log.flush()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                       start_new_session=True,
                                       preexec_fn=_die_with_parent if _PRCTL else None)
            with self._children_lock:
                self._children.add(process)
                if self.stopped_by is not None:  # stopped while it started
                    process.send_signal(self.stopped_by)
            try:
                while True:
                    try:
                        return process.wait(timeout=HEARTBEAT_S)
                    except subprocess.TimeoutExpired:
                        heartbeat()
            finally:
                with self._children_lock:
                    self._children.discard(process)


def _tail(path: str, lines: int = 20) -> str:
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - 16384))
        return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])


def load_runs(root: str) -> list[Run]:
    """Every run planned under ``root`` (from their plan.json), sorted by name."""
    runs = []
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        path = os.path.join(root, name, PLAN_FILE)
        if os.path.isfile(path):
            runs.append(Run.from_json(_read_json(path)["run"]))
    return runs

