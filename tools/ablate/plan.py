"""Plans an ablation grid: variant gin files x gin-parameter sweeps x seeds -> named runs.

A run's name depends only on what it trains (variant, swept values, seed), never on the order
of the grid, so a rerun of the same command maps every run onto the same directory.
"""

from __future__ import annotations

import dataclasses
import glob
import itertools
import os
import re
from typing import Sequence

from simgan import configs

_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")


class PlanError(ValueError):
    """A variant, sweep or seed list could not be planned."""


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run of the grid."""

    name: str
    variant: str
    gin_files: tuple[str, ...]
    gin_params: tuple[str, ...]
    sweep: tuple[tuple[str, str], ...]
    seed: int

    @property
    def group(self) -> str:
        """The run's name without its seed: runs of one group differ only by seed."""
        return self.name.rsplit("__seed=", 1)[0]

    def to_json(self) -> dict:
        return {"name": self.name, "variant": self.variant, "gin_files": list(self.gin_files),
                "gin_params": list(self.gin_params), "sweep": [list(s) for s in self.sweep],
                "seed": self.seed}

    @classmethod
    def from_json(cls, record: dict) -> "Run":
        return cls(record["name"], record["variant"], tuple(record["gin_files"]),
                   tuple(record["gin_params"]), tuple(tuple(s) for s in record["sweep"]),
                   int(record["seed"]))


def resolve_gin(pattern: str) -> list[str]:
    """Absolute paths matching a gin path or glob, in the working directory or under the shipped
    configs/ folder (as simgan-train looks them up)."""
    for root in (os.getcwd(), configs.path()):
        matches = sorted(glob.glob(os.path.join(root, pattern)))
        if matches:
            return [os.path.abspath(m) for m in matches]
    raise PlanError(f"{pattern!r}: no gin file matches (looked in {os.getcwd()} and "
                    f"{configs.path()})")


def split_values(text: str) -> list[str]:
    """Splits ``a,b,(c, d),[e, f]`` on the commas outside brackets and quotes."""
    values, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append(current.strip())
            current = ""
            continue
        current += char
    values.append(current.strip())
    return values


def parse_sweep(spec: str) -> tuple[str, list[str]]:
    """``'resnet.num_blocks=2,4,8'`` -> (binding, ['2', '4', '8'])."""
    key, sep, values = spec.partition("=")
    key, parsed = key.strip(), split_values(values)
    if not sep or not key or not all(parsed):
        raise PlanError(f"--sweep {spec!r}: expected 'configurable.param=value1,value2,...'")
    if len(set(parsed)) != len(parsed):
        raise PlanError(f"--sweep {spec!r}: repeated value")
    return key, parsed


def parse_seeds(text: str) -> list[int]:
    """``'0,1,2'`` -> [0, 1, 2]."""
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError as e:
        raise PlanError(f"--seeds {text!r}: expected comma-separated integers") from e
    if not seeds or len(set(seeds)) != len(seeds):
        raise PlanError(f"--seeds {text!r}: expected at least one seed, none repeated")
    return seeds


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text.replace("/", "-")).strip("-")


def plan(base: Sequence[str], variants: Sequence[str], sweeps: Sequence[str] = (),
         seeds: Sequence[int] = (0,), gin_params: Sequence[str] = ()) -> list[Run]:
    """The grid: every seed x every variant file (paths or globs; none = the base alone) x every
    combination of swept values. ``base`` gin files and fixed ``gin_params`` apply to all runs;
    a variant glob never matches a base file."""
    base_files = [f for pattern in base for f in resolve_gin(pattern)]
    variant_files = []
    for pattern in variants:
        variant_files += [f for f in resolve_gin(pattern)
                          if f not in base_files and f not in variant_files]
    names: dict[str, str] = {}
    for path in variant_files:
        stem = _safe(os.path.splitext(os.path.basename(path))[0])
        if stem in names:
            raise PlanError(f"Variants {names[stem]} and {path} would share the run name "
                            f"{stem!r}; rename one")
        names[stem] = path
    variant_list = list(names.items()) or [("base", None)]
    parsed = [parse_sweep(s) for s in sweeps]
    if len({k for k, _ in parsed}) != len(parsed):
        raise PlanError(f"--sweep: a parameter is swept twice in {list(sweeps)}")
    runs = []
    # Seed-major order: an interrupted grid already has every variant for the first seeds.
    for seed, (stem, path), values in itertools.product(
            seeds, variant_list, itertools.product(*[v for _, v in parsed])):
        sweep = tuple((k, v) for (k, _), v in zip(parsed, values))
        name = "__".join([stem, *(_safe(f"{k}={v}") for k, v in sweep), f"seed={seed}"])
        files = tuple(base_files) + ((path,) if path else ())
        params = tuple(gin_params) + tuple(f"{k}={v}" for k, v in sweep)
        runs.append(Run(name, stem, files, params, sweep, int(seed)))
    return runs
