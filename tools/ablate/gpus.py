"""Which GPUs each run of a grid gets: ``CUDA_VISIBLE_DEVICES`` handed out round-robin.

Without an assignment every TensorFlow process maps every visible GPU and claims its memory, so
``--parallel=N`` runs would fight over the first card. The visible GPUs are split into groups
of ``gpus_per_run``; each group hosts up to ``runs_per_gpu`` runs at once (then with memory
growth on, ``TF_FORCE_GPU_ALLOW_GROWTH=true``, so they share the card instead of each taking
all of it). A run holds its slot while it trains and gives it back when it ends.
"""

from __future__ import annotations

import os
import queue
from typing import Mapping, Sequence

CUDA_ENV, GROWTH_ENV = "CUDA_VISIBLE_DEVICES", "TF_FORCE_GPU_ALLOW_GROWTH"


def visible(environ: Mapping[str, str], detected: int) -> list[str]:
    """The GPU ids this process may hand out: those of ``CUDA_VISIBLE_DEVICES`` when it is set
    (ids or UUIDs; '' or '-1' hides all), else ``0 .. detected - 1``."""
    value = environ.get(CUDA_ENV)
    if value is None:
        return [str(i) for i in range(detected)]
    ids = [v.strip() for v in value.split(",") if v.strip()]
    return [] if ids[:1] == ["-1"] else ids


def parse(value: str) -> list[str]:
    """``--gpus``: a comma-separated list of GPU ids."""
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids or len(set(ids)) != len(ids):
        raise ValueError(f"--gpus: expected distinct comma-separated GPU ids, e.g. 0,1; got "
                         f"{value!r}")
    return ids


class Assigner:
    """Hands each starting run the environment of a free slot, round-robin over the groups."""

    def __init__(self, gpus: Sequence[str], *, parallel: int, gpus_per_run: int = 1,
                 runs_per_gpu: int = 1):
        if gpus_per_run < 1 or runs_per_gpu < 1:
            raise ValueError(f"--gpus_per_run and --runs_per_gpu: expected >= 1, got "
                             f"{gpus_per_run} and {runs_per_gpu}")
        self.gpus = list(gpus)
        self.growth = parallel > 1 and (not self.gpus or runs_per_gpu > 1)
        self._slots: queue.Queue = queue.Queue()
        if not self.gpus:  # a CPU machine: nothing to assign
            return
        groups = [",".join(self.gpus[i:i + gpus_per_run])
                  for i in range(0, len(self.gpus) - gpus_per_run + 1, gpus_per_run)]
        if not groups:
            raise ValueError(f"--gpus_per_run={gpus_per_run}: only {len(self.gpus)} GPU(s) "
                             f"visible ({','.join(self.gpus)})")
        if parallel > len(groups) * runs_per_gpu:
            raise ValueError(
                f"--parallel={parallel}: {len(groups)} group(s) of {gpus_per_run} GPU(s) with "
                f"--runs_per_gpu={runs_per_gpu} run at most {len(groups) * runs_per_gpu} at once")
        for _ in range(runs_per_gpu):
            for group in groups:
                self._slots.put(group)

    def acquire(self) -> dict[str, str]:
        """The environment additions of the next free slot (waits for one)."""
        env = {GROWTH_ENV: "true"} if self.growth else {}
        if self.gpus:
            env[CUDA_ENV] = self._slots.get()
        return env

    def release(self, assignment: Mapping[str, str]) -> None:
        if CUDA_ENV in assignment:
            self._slots.put(assignment[CUDA_ENV])


def environment(assignment: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with ``assignment`` applied (memory growth: unless set)."""
    env = dict(os.environ)
    for key, value in assignment.items():
        if key == GROWTH_ENV:
            env.setdefault(key, value)
        else:
            env[key] = value
    return env
