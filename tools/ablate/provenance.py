"""What produced a run: the code version (git commit and dirty flag) and the device."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess

import simgan.core
from simgan.io import cpu_features


def source_root() -> str:
    """The checkout holding the simgan sources (the parent of core/)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(simgan.core.__file__)))


def code_version() -> dict:
    """``{"commit", "dirty", "version"}``; commit and dirty are None outside a git checkout."""
    root = source_root()

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                                    timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    try:
        version = importlib.metadata.version("simgan")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return {"commit": commit, "dirty": None if status is None else bool(status),
            "version": version}


def _cpu_name() -> str:
    names = cpu_features.cpu_fields("model name")
    return names[0] if names else platform.processor() or platform.machine()


def device() -> dict:
    """The accelerators TensorFlow sees (GPU names from tf.config) and the CPU, for the record."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel  (slow import, used once)

    gpus = [tf.config.experimental.get_device_details(g).get("device_name", g.name)
            for g in tf.config.list_physical_devices("GPU")]
    return {"gpus": gpus, "cpu": _cpu_name(), "cpu_count": os.cpu_count(),
            "host": platform.node(), "kind": "GPU" if gpus else "CPU"}
