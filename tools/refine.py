"""`simgan-refine`: applies an exported refiner to a registered dataset and writes the refined
dataset, every label carried over unchanged, in the converter's format (TFRecord shards +
manifest.json, read back by the ``tfrecord`` dataset), in batches, with progress lines, resumable.

    simgan-refine --refiner=runs/eyes/export/refiner.keras --source=eye_simulator \
        --scope=synthetic --gin_file=simgan/eyes_paper.gin --max_records=50000 \
        --output_dir=data/refined_eyes

It reuses tools/convert.py (its flags, shard writing, resume and verification) on the
``refined`` dataset of the SimGAN plugin: ``--source`` built under ``--scope`` and passed
through the refiner. Re-running with the same arguments resumes after the last finished shard.
"""

from __future__ import annotations

from simgan.core import cli

cli.quiet_tensorflow()

from absl import flags, logging  # noqa: E402

from simgan.core import config, plugins  # noqa: E402
from simgan.tools import convert  # noqa: E402

FLAGS = flags.FLAGS


def define_flags() -> None:
    convert.define_flags()
    flags.DEFINE_string("refiner", None, "Exported refiner (.keras), e.g. "
                        "<model_dir>/export/refiner.keras.")
    flags.DEFINE_integer("batch_size", 256, "Images refined per batch.")
    flags.mark_flag_as_required("refiner")


def main(argv: list[str]) -> None:
    cli.no_arguments(argv)
    plugins.load_all(FLAGS.plugin)
    config.parse(FLAGS.gin_file, [*FLAGS.gin_param, f"refined.source = {FLAGS.source!r}",
                                  f"refined.refiner = {FLAGS.refiner!r}",
                                  f"refined.batch_size = {FLAGS.batch_size}"])
    manifest = convert.convert("refined", FLAGS.output_dir, FLAGS.seed, FLAGS.scope,
                               FLAGS.records_per_shard, FLAGS.max_records, FLAGS.progress_seconds)
    logging.info("Refined %d records of %r into %s", manifest["records"], FLAGS.source,
                 FLAGS.output_dir)


def run() -> None:
    cli.run("simgan-refine", define_flags, main)


if __name__ == "__main__":
    run()
