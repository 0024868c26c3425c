"""Every dataset binding is one the run uses: a required parameter of a dataset bound in a gin
scope where the run builds no such dataset fails before training instead of being ignored."""

from __future__ import annotations

import inspect
from typing import Any, Iterator, Mapping, Protocol

import gin

from simgan.configs.parsing import ConfigError, bindings

Selection = tuple[str, str]  # (registered dataset, gin scope it is built under)


class Registry(Protocol):
    """What is read of the datasets registry (core.registry.Registry)."""

    kind: str

    def __contains__(self, name: object) -> bool: ...

    def lookup(self, name: str) -> Any: ...


def component_selections(kind: str, components: Mapping[str, Any]) -> dict[str, Selection]:
    """The datasets each component of ``kind`` (an evaluator, the task) draws from besides the
    run's two (its ``datasets`` attribute: role -> (dataset, scope)), keyed for
    `check_selected` as ``evaluator 'c2st' (real)``."""
    return {f"{kind} {name!r} ({role})": selection
            for name, component in components.items()
            for role, selection in getattr(component, "datasets", {}).items()}


def check_selected(datasets: Registry, selected: Mapping[str, Selection]) -> None:
    """Fails in one line when a required parameter of a dataset (one without a default, e.g.
    ``image_folder.path``) is bound in a gin scope where the run builds no such dataset: that
    binding would be silently ignored (issue 18: ``real/image_folder.path`` alone trained on the
    simulator). ``selected`` maps what chose each dataset (``'train.real_dataset'``) to
    ``(dataset, scope)``; a wrapper's inner dataset (``real/pool.dataset = 'mpiigaze'``) counts
    as selected in the wrapper's scope. Only required parameters are checked: optional ones are
    set by shared base files (``real/eye_simulator.domain``) for datasets a config may swap out.
    ``datasets`` is the registry of datasets. Call it after gin is parsed, before training.
    """
    used = _with_wrapped(datasets, selected)
    for scope, name, param in _dataset_bindings(datasets):
        if datasets.lookup(name).parameters().get(param, None) is not inspect.Parameter.empty:
            continue
        if any(n == name and _applies(scope, s) for n, s in used.values()):
            continue
        binding = f"{scope + '/' if scope else ''}{name}.{param}"
        there = {what: n for what, (n, s) in used.items() if _applies(scope, s)}
        in_use = ", ".join(f"{n!r} ({what})" for what, n in there.items())
        where = f"in gin scope {scope!r}" if scope else "in any gin scope"
        raise ConfigError(
            f"{binding} is bound, but the run builds no {name!r} {where} (datasets in use "
            f"there: {in_use or 'none'}); select it (e.g. "
            f"{next(iter(there), 'train.real_dataset')} = {name!r}) or remove the binding")


def _applies(binding_scope: str, build_scope: str) -> bool:
    """Whether a binding under ``binding_scope`` applies to a build under ``build_scope``
    (gin: a binding's scope must be a prefix of the scope the call runs in)."""
    outer, inner = binding_scope.split("/") if binding_scope else [], build_scope.split("/")
    return inner[:len(outer)] == outer if build_scope else not outer


def _with_wrapped(datasets: Registry, selected: Mapping[str, Selection]
                  ) -> dict[str, Selection]:
    """``selected`` plus the datasets that selected wrappers build: any bound string parameter
    of a selected dataset that names a registered dataset (``pool.dataset``,
    ``refined.source``), in the wrapper's scope."""
    used, todo = dict(selected), list(selected.values())
    while todo:
        name, scope = todo.pop()
        if name not in datasets:
            continue
        prefix = f"{scope}/" if scope else ""
        bound = gin.get_bindings(f"{prefix}{datasets.kind}.{name}", resolve_references=False)
        for param, value in bound.items():
            if isinstance(value, str) and value in datasets and (value, scope) not in todo \
                    and (value, scope) not in used.values():
                used[f"{prefix}{name}.{param}"] = (value, scope)
                todo.append((value, scope))
    return used


def _dataset_bindings(datasets: Registry) -> Iterator[tuple[str, str, str]]:
    """``(scope, dataset, parameter)`` of every parsed binding of a registered dataset."""
    for scope, selector, param in bindings():
        name = selector.removeprefix(f"{datasets.kind}.")
        if "." not in name and name in datasets:
            yield scope, name, param
