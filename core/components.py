"""`simgan-components`: prints every registered component per registry with its gin
parameters and defaults (after loading the installed plugins and any --plugin)."""

from __future__ import annotations

import sys

from absl import app, flags

from simgan.core import plugins, registries

flags.DEFINE_multi_string("plugin", [], "Extra plugin module (dotted name or .py path) to load.")


def main(argv: list[str]) -> None:
    del argv
    try:
        plugins.load_all(flags.FLAGS.plugin)
    except (plugins.PluginError, ValueError, OSError) as e:
        print(f"simgan-components: error: {e}", file=sys.stderr)
        sys.exit(1)
    print(registries.describe())


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
