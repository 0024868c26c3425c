"""A name -> component registry whose entries are gin-configurable.

Every component of the framework (dataset, refiner, discriminator, loss, buffer strategy,
optimizer, evaluator) is a factory registered under a short name. Registering it also makes it
gin-configurable under the registry's module, so a gin file can say either
``resnet.num_blocks = 4`` or, when a name is shared, ``refiners.resnet.num_blocks = 4``.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from typing import Any, Callable, Iterator

import gin

from simgan.configs import required


class UnknownComponentError(KeyError):
    """Raised when a registry is asked for a name it does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0])


@dataclasses.dataclass(frozen=True)
class Entry:
    """One registered component: its name, the gin-configurable callable and the original."""

    name: str
    configurable: Callable[..., Any]
    original: Callable[..., Any]
    denylist: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        """Parameters gin may bind and their defaults (``inspect.Parameter.empty`` when
        required); those in the denylist are the framework's."""
        target = self.original.__init__ if inspect.isclass(self.original) else self.original
        return {p.name: p.default for p in inspect.signature(target).parameters.values()
                if p.name != "self" and p.name not in self.denylist
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


class Registry:
    """Maps names to gin-configurable factories of one kind of component.

    ``framework_args`` are the arguments the framework itself passes to every factory of this
    kind (shapes, seeds, the run's domains): declared once here, they cannot be bound from gin
    (compare_gan's framework arguments, excluded on the interface)."""

    def __init__(self, kind: str, description: str, framework_args: tuple[str, ...] = ()):
        self.kind = kind
        self.description = description
        self.framework_args = tuple(framework_args)
        self._entries: dict[str, Entry] = {}

    def register(self, name: str | None = None) -> Callable:
        """Decorator: registers ``fn_or_cls`` under ``name`` (default: its ``__name__``) and
        returns it gin-configurable as ``<kind>.<name>`` (or just ``<name>``)."""

        def decorate(fn_or_cls: Callable) -> Callable:
            key = name or fn_or_cls.__name__
            existing = self._entries.get(key)
            if existing is not None:
                same = (existing.original.__module__, existing.original.__qualname__) == (
                    fn_or_cls.__module__, fn_or_cls.__qualname__)
                if same:  # the same module imported again (e.g. by path and by name)
                    return existing.configurable
                raise ValueError(
                    f"{self.kind}: the name {key!r} is already registered by "
                    f"{existing.original.__module__}.{existing.original.__qualname__}")
            configurable = gin.configurable(key, module=self.kind,
                                            denylist=list(self.framework_args))(fn_or_cls)
            self._entries[key] = Entry(key, configurable, fn_or_cls, self.framework_args)
            return configurable

        return decorate

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries[n] for n in self.names())

    def lookup(self, name: str) -> Entry:
        """The entry for ``name``; an unknown name raises listing the known ones."""
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "(none registered)"
            close = difflib.get_close_matches(str(name), self.names(), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownComponentError(
                f"Unknown {self.kind} component {name!r}.{hint} Known {self.kind}: {known}. "
                "Load the plugin that defines it (--plugin, plugins=[...] in Python, or the "
                "'simgan.plugins' entry point).") from None

    def build(self, name: str, **kwargs: Any) -> Any:
        """Calls the registered factory, with gin bindings applied and ``kwargs`` given; a
        required parameter neither bound nor given fails in one line naming it."""
        entry = self.lookup(name)
        required.check(self.kind, entry, kwargs)
        return entry.configurable(**kwargs)


# Gin-configurables outside the registries (train.*, data.batched, evaluator internals), by
# their gin name, so `simgan-components` can list every parameter a gin file may bind.
CONFIGURABLES: dict[str, Entry] = {}


def configurable(name: str, *, module: str | None = None,
                 denylist: tuple[str, ...] = ()) -> Callable:
    """``gin.configurable(name, module=module, denylist=denylist)``, listed by simgan-components."""

    def decorate(fn_or_cls: Callable) -> Callable:
        result = gin.configurable(name, module=module, denylist=list(denylist))(fn_or_cls)
        CONFIGURABLES[name] = Entry(name, result, fn_or_cls, tuple(denylist))
        return result

    return decorate
