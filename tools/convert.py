"""`simgan-convert`: converts any registered dataset into TFRecord shards read back by the
``tfrecord`` dataset.

    simgan-convert --source=unityeyes \
        --gin_param="unityeyes.path='/data/UnityEyes/imgs'" --output_dir=/data/unityeyes_tfr

The source is built exactly as training builds it (gin files and bindings, ``--scope``), fitted
images are stored as raw uint8 and labels as floats. After each finished shard the manifest is
rewritten atomically, so an interrupted run resumes where it stopped when started again with
the same arguments; at the end every shard is re-read, counted and checksummed.
"""

from __future__ import annotations

from absl import flags

from simgan.configs import parsing
from simgan.plugins import loading
from simgan.tools import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
    flags.DEFINE_string("source", None, "Registered dataset to convert, e.g. unityeyes.")
    cli.define_output_dir(what="Folder for the shards and manifest.json.")
    cli.define_gin("configures the source")
    cli.define_plugin()
    flags.DEFINE_string("scope", "", "Gin scope to build the source under (e.g. synthetic, real).")
    cli.define_seed("the source's record order")
    flags.DEFINE_integer("records_per_shard", 10000, "Records per TFRecord shard.")
    flags.DEFINE_integer("max_records", None, "Convert only the first N records.")
    flags.DEFINE_float("progress_seconds", 5.0, "Seconds between progress lines.")
    flags.mark_flag_as_required("source")


def main(argv: list[str]) -> None:
    from simgan.tools import converting  # pylint: disable=import-outside-toplevel  (cli.py)

    cli.no_arguments(argv)
    loading.load_all(FLAGS.plugin)
    parsing.parse(FLAGS.gin_file, FLAGS.gin_param)
    converting.convert(FLAGS.source, FLAGS.output_dir, FLAGS.seed, FLAGS.scope,
                       FLAGS.records_per_shard, FLAGS.max_records, FLAGS.progress_seconds)


def run() -> None:
    cli.run("simgan-convert", define_flags, main)


if __name__ == "__main__":
    run()
