"""`simgan-refine`: applies an exported refiner to a registered dataset and writes the refined
dataset, every label carried over unchanged, in the converter's format (TFRecord shards +
manifest.json, read back by the ``tfrecord`` dataset), in batches, with progress lines, resumable.

    simgan-refine --refiner=runs/eyes/export/refiner.keras --source=eye_simulator \
        --scope=synthetic --gin_file=simgan/eyes_paper.gin --max_records=50000 \
        --output_dir=data/refined_eyes

It reuses tools/convert.py (its flags, shard writing, resume and verification) on the
``refined`` dataset defined here: ``--source`` built under ``--scope`` and passed through the
refiner. Re-running with the same arguments resumes after the last finished shard.
"""

from __future__ import annotations

import sys

import tensorflow as tf
from absl import app, flags, logging

from simgan.core import config, data, plugins
from simgan.core.registries import DATASETS
from simgan.core.registry import UnknownComponentError
from simgan.tools import convert
from simgan.tools.evaluate import load_refiner


@DATASETS.register("refined")
def refined(*, seed: int, source: str, refiner: str, batch_size: int = 256) -> tf.data.Dataset:
    """Registered dataset ``source`` (built in the current gin scope) with its images replaced by
    the exported refiner's output (file ``refiner``); every other entry is passed through."""
    dataset = DATASETS.build(source, seed=seed)
    data.check_contract(dataset, source)
    model = load_refiner(refiner)

    def apply(batch):
        batch = dict(batch)
        batch[data.IMAGE_KEY] = tf.clip_by_value(model(batch[data.IMAGE_KEY]),
                                                 -1.0, 1.0)
        return batch

    refined_set = dataset.batch(batch_size).map(apply).unbatch()
    size = int(dataset.cardinality())  # unbatch forgets it; keep it for the progress line
    if size != int(tf.data.UNKNOWN_CARDINALITY):
        refined_set = refined_set.apply(tf.data.experimental.assert_cardinality(size))
    return refined_set


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    f = flags.FLAGS
    try:
        plugins.load_all(f.plugin)
        config.parse(f.gin_file, [*f.gin_param, f"refined.source = {f.source!r}",
                                  f"refined.refiner = {f.refiner!r}",
                                  f"refined.batch_size = {f.batch_size}"])
        manifest = convert.convert("refined", f.output_dir, f.seed, f.scope,
                                   f.records_per_shard, f.max_records, f.progress_seconds)
    except (config.ConfigError, plugins.PluginError, UnknownComponentError,
            convert.ConversionError, ValueError, OSError) as e:
        print(f"simgan-refine: error: {e}", file=sys.stderr)
        sys.exit(1)
    logging.info("Refined %d records of %r into %s", manifest["records"], f.source, f.output_dir)


def run() -> None:
    flags.DEFINE_string("refiner", None, "Exported refiner (.keras), e.g. "
                        "<model_dir>/export/refiner.keras.")
    flags.DEFINE_integer("batch_size", 256, "Images refined per batch.")
    flags.mark_flags_as_required(["source", "output_dir", "refiner"])
    app.run(main)


if __name__ == "__main__":
    run()
