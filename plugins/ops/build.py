"""Compile-or-load TensorFlow C++ custom op libraries, with a pure-TF fallback when not built.

A plugin declares its library once (``declare(name, sources)``); ``simgan-build-ops`` compiles
every declared library with the compiler flags of the installed TensorFlow wheel
(``tf.sysconfig``) into a cache directory; the plugin calls ``load(library)`` when it builds its
component and gets the loaded module, or ``None`` (logged) so it can use its pure-TF fallback.
The cached file name carries a fingerprint of the sources, the TF version and the flags, so a
stale build is never loaded. See docs/CUSTOM_OPS.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import tempfile
from types import ModuleType
from typing import Iterable

import tensorflow as tf
from absl import logging

CACHE_ENV = "SIMGAN_OPS_CACHE"
COMPILER_ENV = "CXX"
ACCELERATORS = ("GPU", "TPU")
_BASE_FLAGS = ("-shared", "-fPIC", "-O3", "-w")


class BuildError(RuntimeError):
    """The compiler failed on a custom op library."""


@dataclasses.dataclass(frozen=True)
class OpLibrary:
    """A custom op library: C++ ``sources`` compiled into one shared object.

    ``devices`` lists the device types the sources register kernels for; on a machine with any
    other accelerator the library is not used (its ops would run on the host with copies).
    """

    name: str
    sources: tuple[str, ...]
    extra_flags: tuple[str, ...] = ()
    devices: tuple[str, ...] = ("CPU",)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for part in (tf.__version__, _compiler(), *_BASE_FLAGS, *self.extra_flags,
                     *tf.sysconfig.get_compile_flags(), *tf.sysconfig.get_link_flags()):
            digest.update(part.encode() + b"\0")
        for source in self.sources:
            with open(source, "rb") as f:
                digest.update(f.read())
        return digest.hexdigest()[:16]

    def path(self, cache_dir: str | None = None) -> str:
        """Where the compiled library of the current sources lives."""
        name = f"{self.name}-{self.fingerprint()}.so"
        return os.path.join(cache_dir or default_cache_dir(), name)


LIBRARIES: dict[str, OpLibrary] = {}
_loaded: dict[str, ModuleType] = {}  # by .so path
_loaded_by_name: dict[str, ModuleType] = {}


def default_cache_dir() -> str:
    """``$SIMGAN_OPS_CACHE``, else ``~/.cache/simgan/ops``."""
    return os.environ.get(CACHE_ENV) or os.path.join(os.path.expanduser("~"), ".cache",
                                                      "simgan", "ops")


def _compiler() -> str:
    return os.environ.get(COMPILER_ENV, "g++")


def declare(name: str, sources: Iterable[str], *, extra_flags: Iterable[str] = (),
            devices: Iterable[str] = ("CPU",)) -> OpLibrary:
    """Declares a library so ``simgan-build-ops`` builds it; returns it for ``load``."""
    library = OpLibrary(name, tuple(os.path.abspath(s) for s in sources), tuple(extra_flags),
                        tuple(devices))
    for source in library.sources:
        if not os.path.isfile(source):
            raise FileNotFoundError(f"custom op library {name!r}: source {source} not found")
    existing = LIBRARIES.get(name)
    if existing is not None and existing != library:
        raise ValueError(f"custom op library {name!r} is already declared with sources "
                         f"{existing.sources}")
    LIBRARIES[name] = library
    return library


def compile_command(library: OpLibrary, output: str) -> list[str]:
    """The compiler command line: TF's compile flags, the sources, then TF's link flags."""
    return [_compiler(), *_BASE_FLAGS, *tf.sysconfig.get_compile_flags(), *library.extra_flags,
            *library.sources, "-o", output, *tf.sysconfig.get_link_flags()]


def build(library: OpLibrary, cache_dir: str | None = None, *, force: bool = False) -> str:
    """Compiles ``library`` into the cache (atomically: a reader never sees a partial .so)."""
    path = library.path(cache_dir)
    if os.path.exists(path) and not force:
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=os.path.dirname(path), prefix=f".{library.name}.",
                                   suffix=".so")
    os.close(fd)
    command = compile_command(library, partial)
    try:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"custom op library {library.name!r}: compiling "
                             f"{', '.join(library.sources)} failed (exit {result.returncode}):\n"
                             f"{result.stderr[-4000:]}\ncommand: {' '.join(command)}")
        os.chmod(partial, 0o755)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    logging.info("Built custom op library %s -> %s", library.name, path)
    return path


def load(library: OpLibrary, cache_dir: str | None = None) -> ModuleType | None:
    """The loaded op module of ``library``, or None (logged) when the pure-TF fallback applies:
    not built for the current sources, failing to load, or an accelerator it has no kernels for.
    """
    missing = [kind for kind in ACCELERATORS
               if kind not in library.devices and tf.config.list_logical_devices(kind)]
    if missing:
        logging.info("Custom op library %s has no %s kernels: using its pure-TF fallback",
                     library.name, "/".join(missing))
        return None
    path = library.path(cache_dir)
    if path in _loaded:
        return _loaded[path]
    if not os.path.exists(path):
        logging.warning("Custom op library %s is not built (%s absent): using its pure-TF "
                        "fallback; build it with `simgan-build-ops`", library.name, path)
        return None
    try:
        module = tf.load_op_library(path)
    except (tf.errors.NotFoundError, tf.errors.AlreadyExistsError, OSError) as e:
        logging.warning("Custom op library %s at %s failed to load (%s): using its pure-TF "
                        "fallback; rebuild with `simgan-build-ops --force`", library.name, path, e)
        return None
    logging.info("Using custom op library %s from %s", library.name, path)
    _loaded[path] = _loaded_by_name[library.name] = module
    return module


def loaded(library: OpLibrary) -> ModuleType:
    """The module ``load`` returned for ``library`` in this process (for gradient functions)."""
    try:
        return _loaded_by_name[library.name]
    except KeyError:
        raise RuntimeError(f"custom op library {library.name!r} is not loaded") from None
