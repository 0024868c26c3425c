"""Which share of a grid this machine runs: shard ``index`` of ``count``, from --shard_index and
--num_shards or from the scheduler's environment (a Slurm job array, a Kubernetes Indexed Job).

Shard i takes runs i, i + N, i + 2N, ... of the planned grid. The plan's order depends only on
the command (sorted globs, the flags' order, seeds outermost), so the same command gives every
machine the same assignment, the shards are disjoint and together the whole grid, and each
shard starts with the first seeds.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence, TypeVar

SLURM_ID, SLURM_COUNT = "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"
SLURM_MIN, SLURM_STEP = "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP"
K8S_INDEX = "JOB_COMPLETION_INDEX"
T = TypeVar("T")


class ShardError(ValueError):
    """The shard flags and the scheduler's environment do not name one valid shard."""


@dataclasses.dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``; ``source`` says where each came from (for messages)."""

    index: int = 0
    count: int = 1
    source: str = "no sharding"

    def select(self, runs: Sequence[T]) -> list[T]:
        """This shard's runs: every ``count``-th from the ``index``-th."""
        return list(runs[self.index::self.count])

    def __str__(self) -> str:
        return f"shard {self.index} of {self.count} ({self.source})"


def _integer(environ: Mapping[str, str], name: str, default: int | None = None) -> int | None:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ShardError(f"{name}={value!r}: expected an integer") from None


def from_environment(environ: Mapping[str, str]) -> tuple[int | None, int | None, str]:
    """``(index, count, source)`` from a Slurm job array (count: the array's size) or a Kubernetes
    Indexed Job (count unknown: the Job's completions are not in its environment); ``(None,
    None, '')`` outside both. A Slurm array may start anywhere and step (``--array=1-8:2``)."""
    slurm = _integer(environ, SLURM_ID)
    kubernetes = _integer(environ, K8S_INDEX)
    if slurm is not None:
        offset, step = slurm - _integer(environ, SLURM_MIN, 0), _integer(environ, SLURM_STEP, 1)
        if step < 1 or offset % step:
            raise ShardError(f"{SLURM_ID}={slurm} is not on the array's range (from "
                             f"{SLURM_MIN}, by {SLURM_STEP}): give --shard_index")
        index, count = offset // step, _integer(environ, SLURM_COUNT)
        if kubernetes is not None and kubernetes != index:
            raise ShardError(f"{SLURM_ID} (shard {index}) and {K8S_INDEX}={kubernetes} name "
                             "different shards: give --shard_index")
        return index, count, SLURM_ID
    if kubernetes is not None:
        return kubernetes, None, K8S_INDEX
    return None, None, ""


def resolve(num_shards: int | None, shard_index: int | None,
            environ: Mapping[str, str]) -> Shard:
    """The shard to run: each of --shard_index and --num_shards, when given, wins over the
    environment; otherwise the environment's. An index from the environment with a
    --num_shards that differs from the environment's count is a clash (the array and the
    grid would disagree on the shards): an error, as is an index out of range."""
    env_index, env_count, env_source = from_environment(environ)
    index = shard_index if shard_index is not None else env_index
    count = num_shards if num_shards is not None else env_count
    index_from = "--shard_index" if shard_index is not None else env_source
    count_from = "--num_shards" if num_shards is not None else SLURM_COUNT
    if index is None and count is None:
        return Shard()
    if count is None:
        raise ShardError(f"{index_from}={index}: give --num_shards (the number of shards, e.g. "
                         "a Kubernetes Job's completions)")
    if index is None:
        raise ShardError(f"--num_shards={count}: give --shard_index (or run as a Slurm array "
                         f"task, {SLURM_ID}, or a Kubernetes Indexed Job, {K8S_INDEX})")
    if shard_index is None and num_shards is not None and env_count not in (None, num_shards):
        raise ShardError(f"--num_shards={num_shards} but {SLURM_COUNT}={env_count}: the array "
                         "runs a different number of shards; drop --num_shards or give "
                         "--shard_index too")
    if count < 1 or not 0 <= index < count:
        raise ShardError(f"shard {index} ({index_from}) of {count} ({count_from}): expected "
                         "0 <= index < count")
    source = "flags" if index_from == "--shard_index" and count_from == "--num_shards" \
        else f"{index_from}, {count_from}"
    return Shard(index, count, source)
