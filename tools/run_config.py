"""A trained run read back by the commands that use its refiner (simgan-eval, simgan-refine and
``simgan.refine``): the run's plugins and ``config.gin`` first, then the user's gin files and
bindings, and the run's exported refiner unless another file is given."""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from simgan.configs import parsing
from simgan.io import exported, files, provenance
from simgan.plugins import loading


def parse(*, model_dir: str | None, refiner_path: str | None, gin_files: Sequence[str],
          bindings: Sequence[str], plugin_modules: Sequence[str], prefix: str = "--",
          plugin_flag: str = "--plugin") -> str | None:
    """Loads ``plugin_modules`` (given none, the ones ``model_dir``'s training recorded) and
    parses ``model_dir``'s ``config.gin`` (when given) before ``gin_files`` and ``bindings``.
    Returns ``refiner_path``, else ``model_dir``'s export, else None. Errors name the model dir
    as ``{prefix}model_dir`` and the plugins as ``plugin_flag`` (a flag or an argument)."""
    loading.load_for_run(model_dir, plugin_modules, plugin_flag)
    gin_files = list(gin_files)
    if model_dir:
        run_config = files.join(model_dir, provenance.FULL_CONFIG)
        if not tf.io.gfile.exists(run_config):
            raise FileNotFoundError(f"{prefix}model_dir {model_dir!r}: no {provenance.FULL_CONFIG};"
                                    " is it a simgan-train model dir?")
        gin_files.insert(0, run_config)
        refiner_path = refiner_path or files.join(model_dir, exported.EXPORT_PATH)
    with loading.unrecorded_hint(model_dir, plugin_modules, plugin_flag):
        parsing.parse(gin_files, bindings)
    return refiner_path
