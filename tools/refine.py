"""`simgan-refine`: refines images with a trained refiner and writes them out: a folder of images
to PNGs under the same relative names (labels carried in labels.json), or any registered
dataset; PNG (default), .npz or TFRecord shards; in a fixed order, with progress lines,
resumable (PNG) or written atomically (.npz).

    simgan-refine --model_dir=runs/mine --input_dir=data/synthetic --output_dir=data/refined
    simgan-refine --refiner=runs/mine/export/refiner.keras --input_dir=data/synthetic \
        --output_dir=data/refined --output_format=npz
    simgan-refine --model_dir=runs/quickstart --output_dir=data/refined_eyes --max_records=5000 \
        --output_format=tfrecord   # the run's own synthetic dataset

With --model_dir the run's config.gin is parsed first (so its datasets, their settings and the
synthetic folder's label settings apply), then --gin_file/--gin_param; the refiner is
export/refiner.keras. Without --input_dir the source is --source (default: the run's
synthetic dataset), built under --scope (default with --model_dir: the run's 'synthetic').
Re-running with the same arguments resumes; another refiner or other arguments are refused.
"""

from __future__ import annotations

from absl import flags

from simgan.tools import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
    cli.define_model_dir(required=False, what="A simgan-train model dir: its "
                         "export/refiner.keras and config.gin are used.")
    flags.DEFINE_string("refiner", None, "An exported refiner (.keras); overrides --model_dir's.")
    flags.DEFINE_string("input_dir", None, "A folder of images to refine (recursive); written "
                        "under the same relative names.")
    flags.DEFINE_string("source", None, "Registered dataset to refine instead of --input_dir "
                        "(default with --model_dir: the run's synthetic dataset).")
    flags.DEFINE_string("scope", None, "Gin scope to build the source under (default: "
                        "'synthetic' with --model_dir, else none).")
    cli.define_output_dir(what="Folder for the refined images.")
    flags.DEFINE_string("output_format", "png", "png: one file per image; npz: one array file; "
                        "tfrecord: the converter's shards.")
    cli.define_gin("configures the source")
    cli.define_plugin()
    cli.define_seed("the source's record order and the refiner's noise and style draws")
    flags.DEFINE_integer("batch_size", 64, "Images refined per batch.", lower_bound=1)
    flags.DEFINE_integer("max_records", None, "Refine only the first N images.", lower_bound=1)
    flags.DEFINE_integer("records_per_shard", 10000, "Records per TFRecord shard.",
                         lower_bound=1)
    flags.DEFINE_float("progress_seconds", 5.0, "Seconds between progress lines.")


def main(argv: list[str]) -> None:
    from simgan.tools import refining  # pylint: disable=import-outside-toplevel  (tools/cli.py)

    cli.no_arguments(argv)
    refiner_path, source, scope = refining.prepare(
        model_dir=FLAGS.model_dir, refiner_path=FLAGS.refiner, input_dir=FLAGS.input_dir,
        source=FLAGS.source, scope=FLAGS.scope, gin_files=FLAGS.gin_file,
        bindings=FLAGS.gin_param, plugin_modules=FLAGS.plugin, prefix="--")
    manifest = refining.refine(
        refiner_path, FLAGS.output_dir, source=source, scope=scope, seed=FLAGS.seed,
        input_dir=FLAGS.input_dir, output_format=FLAGS.output_format,
        batch_size=FLAGS.batch_size, max_records=FLAGS.max_records,
        records_per_shard=FLAGS.records_per_shard, progress_seconds=FLAGS.progress_seconds,
        prefix="--")
    print(f"Refined {manifest['images']} images into {FLAGS.output_dir} ({manifest['format']})")


def run() -> None:
    cli.run("simgan-refine", define_flags, main)


if __name__ == "__main__":
    run()
