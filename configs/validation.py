"""Configuration checked before anything is built: every gin binding against its parameter's
type, and a configuration dataclass's fields against their types (ranges are checked by the
dataclass itself, in ``__post_init__``).

A wrong value (``train.batch_size = 'x'``, ``resnet.num_blocks = 'x'``) would otherwise surface
steps later as a traceback from deep inside TensorFlow that names no binding. Here it is one
line: the binding, the expected type and the value given.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from typing import Any, Callable, Mapping

import gin

from simgan.configs.parsing import ConfigError, bindings


def _type_name(expected: Any) -> str:
    if isinstance(expected, type):
        return expected.__name__
    return str(expected).replace("typing.", "")


def matches(value: Any, expected: Any) -> bool:
    """Whether ``value`` fits the annotation ``expected`` (unknown annotations fit anything).

    An int fits ``float``; a bool fits neither ``int`` nor ``float``; a list or tuple fits a
    sequence annotation element by element.
    """
    if expected is Any or expected is inspect.Parameter.empty:
        return True
    origin, args = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, a) for a in args)
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, str)
    if origin in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(args) == len(value) and all(matches(v, a) for v, a in zip(value, args))
        return not args or all(matches(v, args[0]) for v in value)
    if origin in (dict, collections.abc.Mapping):
        return isinstance(value, dict)
    return True  # callables, classes, tensors...: not checked here


def _hints(target: Any) -> dict[str, Any]:
    """Parameter annotations of a function or class (its __init__); {} if unresolvable."""
    function = target.__init__ if inspect.isclass(target) else target
    try:
        return typing.get_type_hints(function)
    except Exception:  # pylint: disable=broad-except  # an annotation gin cannot resolve
        return {}


def _has_reference(value: Any) -> bool:
    """Whether ``value`` holds a gin reference (@name, %macro), resolved only when called."""
    if isinstance(value, gin.config.ConfigurableReference):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_reference(v) for v in value)
    if isinstance(value, dict):
        return any(_has_reference(v) for v in value.values())
    return False


def _binding(scope: str, name: str, parameter: str) -> str:
    return f"{scope + '/' if scope else ''}{name}.{parameter}"


def check_bindings(components: Mapping[str, Any]) -> None:
    """Checks every parsed binding of the ``components`` (gin name -> configurable function or
    class, e.g. core.registries.components()) against its parameter's annotation (or,
    unannotated, the type of its default); raises ConfigError on the first mismatch. Reads the
    bindings through gin's public API (``config_str``, ``query_parameter``)."""
    for scope, selector, parameter in bindings():
        target = components.get(selector.rsplit(".", 1)[-1])
        if target is None:  # a configurable of another library, not ours to check
            continue
        binding = _binding(scope, selector, parameter)
        value = gin.query_parameter(binding)
        expected = _hints(target).get(parameter)
        if expected is None:
            default = _defaults(target).get(parameter, inspect.Parameter.empty)
            expected = type(default) if isinstance(default, (bool, int, float, str)) \
                else inspect.Parameter.empty
        if _has_reference(value) or matches(value, expected):
            continue
        raise ConfigError(f"{binding}: expected {_type_name(expected)}, got {value!r} "
                          f"({type(value).__name__})")


def _defaults(target: Any) -> dict[str, Any]:
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in signature.parameters.values()}


def check_fields(config: Any, name: str) -> None:
    """Checks every field of the configuration dataclass instance ``config`` (gin name
    ``name``) against its annotation; raises ConfigError naming the binding."""
    hints = typing.get_type_hints(type(config))
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if not matches(value, hints[field.name]):
            raise ConfigError(f"{name}.{field.name}: expected {_type_name(hints[field.name])}, "
                              f"got {value!r} ({type(value).__name__})")


def configured(factory: Callable[[], Any], name: str) -> Any:
    """``factory()`` (a gin-configurable configuration dataclass named ``name``) with its fields
    checked against their annotations; its own range errors become one-line ConfigErrors (gin
    appends the configurable's name on new lines, which is dropped)."""
    try:
        instance = factory()
    except (ValueError, TypeError) as e:
        raise ConfigError(str(e).splitlines()[0]) from e
    check_fields(instance, name)
    return instance
