"""`simgan-components`: prints every registered component per registry, then every other
gin-configurable (train.*, data.batched, ...), each parameter with its default (after loading
the installed plugins and any --plugin)."""

from __future__ import annotations

from simgan.core import cli

cli.quiet_tensorflow()

from absl import flags  # noqa: E402

from simgan.core import plugins, registries  # noqa: E402
from simgan.core.engine import config as _engine_config  # noqa: E402,F401  (registers train.*)


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    plugins.load_all(flags.FLAGS.plugin)
    print(registries.describe())


def run() -> None:
    cli.run("simgan-components", cli.define_plugin, main)


if __name__ == "__main__":
    run()
