"""`simgan-build-ops`: compiles every declared custom op library (docs/CUSTOM_OPS.md).

    simgan-build-ops                      # built-in plugins and installed entry points
    simgan-build-ops --plugin=my_ops      # plus a plugin module that declares its own library

Each library is compiled with the installed TensorFlow's flags into the cache directory
(``--cache_dir``, else ``$SIMGAN_OPS_CACHE``, else ``~/.cache/simgan/ops``); an up-to-date
build is kept unless ``--force``.
"""

from __future__ import annotations

import sys
import time

import tensorflow as tf
from absl import app, flags

from simgan.core import custom_ops, plugins

FLAGS = flags.FLAGS
flags.DEFINE_multi_string("plugin", [], "Extra plugin module (dotted name or .py path) to load.")
flags.DEFINE_string("cache_dir", None, "Where the .so files go (default: $SIMGAN_OPS_CACHE or "
                    "~/.cache/simgan/ops).")
flags.DEFINE_boolean("force", False, "Rebuild even when an up-to-date build exists.")


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    try:
        plugins.load_all(FLAGS.plugin)
    except plugins.PluginError as e:
        sys.exit(f"simgan-build-ops: error: {e}")
    if not custom_ops.LIBRARIES:
        sys.exit("simgan-build-ops: error: no plugin declares a custom op library")
    for name, library in sorted(custom_ops.LIBRARIES.items()):
        start = time.time()
        try:
            path = custom_ops.build(library, FLAGS.cache_dir, force=FLAGS.force)
        except custom_ops.BuildError as e:
            sys.exit(f"simgan-build-ops: error: {e}")
        try:
            tf.load_op_library(path)
        except (tf.errors.OpError, OSError) as e:
            sys.exit(f"simgan-build-ops: error: {name}: built {path} but it does not load: {e}")
        print(f"{name}: {path} ({time.time() - start:.1f} s)")


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
