"""`simgan-build-ops`: compiles every declared custom op library (docs/CUSTOM_OPS.md).

    simgan-build-ops                      # built-in plugins and installed entry points
    simgan-build-ops --plugin=my_ops      # plus a plugin module that declares its own library

Each library is compiled with the installed TensorFlow's flags into the cache directory
(``--cache_dir``, else ``$SIMGAN_OPS_CACHE``, else ``~/.cache/simgan/ops``); an up-to-date
build is kept unless ``--force``.
"""

from __future__ import annotations

import time

from absl import flags

from simgan.tools import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
    cli.define_plugin()
    flags.DEFINE_string("cache_dir", None, "Where the .so files go (default: $SIMGAN_OPS_CACHE "
                        "or ~/.cache/simgan/ops).")
    flags.DEFINE_boolean("force", False, "Rebuild even when an up-to-date build exists.")


def main(argv: list[str]) -> None:
    # pylint: disable=import-outside-toplevel  (tools/cli.py: --help without TensorFlow)
    import tensorflow as tf

    from simgan.plugins import loading
    from simgan.plugins.ops import build as custom_ops

    cli.no_arguments(argv)
    loading.load_all(FLAGS.plugin)
    if not custom_ops.LIBRARIES:
        raise ValueError("no plugin declares a custom op library")
    for name, library in sorted(custom_ops.LIBRARIES.items()):
        start = time.time()
        try:
            path = custom_ops.build(library, FLAGS.cache_dir, force=FLAGS.force)
        except custom_ops.BuildError as e:
            raise cli.UserError(e) from e  # the compiler's message, one line
        try:
            tf.load_op_library(path)
        except (tf.errors.OpError, OSError) as e:
            raise ValueError(f"{name}: built {path} but it does not load: {e}") from e
        print(f"{name}: {path} ({time.time() - start:.1f} s)")


def run() -> None:
    cli.run("simgan-build-ops", define_flags, main)


if __name__ == "__main__":
    run()
