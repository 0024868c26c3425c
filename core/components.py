"""`simgan-components`: prints every registered component per registry with its gin
parameters and defaults (after loading the installed plugins and any --plugin)."""

from __future__ import annotations

from absl import app, flags

from simgan.core import plugins, registries

flags.DEFINE_multi_string("plugin", [], "Extra plugin module (dotted name or .py path) to load.")


def main(argv: list[str]) -> None:
    del argv
    plugins.load_all(flags.FLAGS.plugin)
    print(registries.describe())


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
