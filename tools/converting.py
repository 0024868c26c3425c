"""The converter behind `simgan-convert`: any registered dataset to TFRecord shards read back by
the ``tfrecord`` dataset, with a manifest rewritten atomically after each shard (an
interrupted conversion resumes) and every shard re-read, counted and checksummed at the end."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time

import gin
import tensorflow as tf
from absl import logging

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.io import files, interrupts, lock, read_errors
from simgan.plugins.eyes import tfrecord
from simgan.tools import cli


class ConversionError(cli.UserError):
    """The output folder cannot be resumed or what was written does not verify."""


def shard_name(index: int) -> str:
    return f"shard-{index:05d}.tfrecord"


def features_of(spec: dict[str, tf.TensorSpec], where: str) -> dict[str, dict]:
    """The manifest's feature table for a contract dataset's element spec (``where`` names it)."""
    features = {}
    for key, s in spec.items():
        if not (s.dtype.is_floating or s.dtype.is_integer) or not s.shape.is_fully_defined():
            raise ConversionError(f"{where}: entry {key!r} is {s.dtype.name} "
                                  f"{s.shape}; expected a numeric tensor of fixed shape")
        features[key] = {"dtype": "uint8" if key == data.IMAGE_KEY else "float32",
                         "shape": s.shape.as_list()}
    return features


def _write_manifest(output_dir: str, manifest: dict) -> None:
    files.atomic_write_text(os.path.join(output_dir, tfrecord.MANIFEST),
                            json.dumps(manifest, indent=1))


def _finished_shards(output_dir: str, manifest: dict) -> list[dict]:
    """The manifest's shards that are still intact on disk (stops at the first damaged one)."""
    intact = []
    for shard in manifest["shards"]:
        path = os.path.join(output_dir, shard["file"])
        if not os.path.isfile(path) or os.path.getsize(path) != shard["bytes"] \
                or files.sha256(path) != shard["sha256"]:
            logging.warning("Shard %s is missing or damaged: rewriting from there.", path)
            break
        intact.append(shard)
    return intact


class Progress:
    """A progress line every ``every`` seconds: records, percent, rate and time left."""

    def __init__(self, total: int | None, done: int, every: float):
        self.total, self.done, self.every = total, done, every
        self.start = self.last = time.monotonic()
        self.start_done = done

    def update(self, done: int, force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        rate = (done - self.start_done) / max(now - self.start, 1e-9)
        if self.total:
            left = (self.total - done) / rate if rate > 0 else float("inf")
            logging.info("convert: %d/%d records (%.1f%%), %.0f records/s, %.0f s left", done,
                         self.total, 100.0 * done / self.total, rate, left)
        else:
            logging.info("convert: %d records, %.0f records/s", done, rate)


def verify(output_dir: str, manifest: dict) -> int:
    """Re-reads every shard: checksum, record count and each record's parse; returns the total."""
    total = 0
    for shard in manifest["shards"]:
        path = os.path.join(output_dir, shard["file"])
        if files.sha256(path) != shard["sha256"]:
            raise ConversionError(f"{path}: SHA-256 differs from the manifest")
        count = 0
        try:
            for serialized in tf.data.TFRecordDataset(path).batch(1024):
                count += int(tf.shape(tfrecord.decode_batch(serialized, manifest["features"])
                                      ["image"])[0])
        except tf.errors.OpError as e:
            raise ConversionError(f"{path}: unreadable record: {e.message}") from e
        if count != shard["records"]:
            raise ConversionError(f"{path}: {count} records, manifest says {shard['records']}")
        total += count
    return total


def convert(source: str, output_dir: str, seed: int = 0, scope: str = "",
            records_per_shard: int = 10000, max_records: int | None = None,
            progress_seconds: float = 5.0) -> dict:
    """Converts ``source`` into ``output_dir`` (resuming a matching earlier run); the manifest.

    Holds the lock of ``output_dir`` throughout, so two conversions never write one folder."""
    if not isinstance(records_per_shard, int) or records_per_shard < 1:
        raise ValueError(f"--records_per_shard: expected an integer >= 1, got {records_per_shard}")
    if max_records is not None and (not isinstance(max_records, int) or max_records < 1):
        raise ValueError(f"--max_records: expected an integer >= 1 (or no limit), got "
                         f"{max_records}")
    with lock.hold(output_dir, "--output_dir"):
        return _convert(source, output_dir, seed, scope, records_per_shard, max_records,
                        progress_seconds)


def _convert(source: str, output_dir: str, seed: int, scope: str, records_per_shard: int,
             max_records: int | None, progress_seconds: float) -> dict:
    where = data.describe(source, scope)
    if scope:
        dataset = data.build(source, scope, seed)
    else:
        dataset = DATASETS.build(source, seed=seed)
        data.check_contract(dataset, where)
    features = features_of(dataset.element_spec, where)
    fingerprint = hashlib.sha256(json.dumps(
        [source, scope, seed, records_per_shard, max_records, features, gin.config_str()]
    ).encode()).hexdigest()
    manifest = {"format": tfrecord.FORMAT, "source": source, "fingerprint": fingerprint,
                "features": features, "records_per_shard": records_per_shard, "shards": [],
                "records": 0, "complete": False}
    manifest_path = os.path.join(output_dir, tfrecord.MANIFEST)
    already_complete = False
    if os.path.exists(manifest_path):
        previous = tfrecord.read_manifest(output_dir)
        if previous.get("fingerprint") != fingerprint:
            raise ConversionError(
                f"{manifest_path} belongs to a conversion with other arguments or gin bindings; "
                "use another --output_dir or delete that one")
        manifest["shards"] = _finished_shards(output_dir, previous)
        already_complete = previous["complete"] and manifest["shards"] == previous["shards"]
    done = sum(s["records"] for s in manifest["shards"])
    if already_complete:
        logging.info("%s is already complete (%d records); verifying.", output_dir, done)
    else:
        if done:
            logging.info("Resuming after %d shards (%d records).", len(manifest["shards"]), done)
        if max_records is not None:
            dataset = dataset.take(max_records)
        total = int(dataset.cardinality())
        dataset = dataset.skip(done)
        progress = Progress(total if total >= 0 else None, done, progress_seconds)
        try:
            with read_errors.naming_files():
                done = _write_shards(dataset, output_dir, manifest, records_per_shard, progress)
        except tf.errors.OpError as e:
            raise ConversionError(f"Reading {where} failed after {progress.done} records: "
                                  f"{e.message}") from e
        progress.update(done, force=True)
    if not manifest["shards"]:
        raise ConversionError(f"{where} yielded no records")
    manifest["records"] = verify(output_dir, manifest)
    manifest["complete"] = True
    _write_manifest(output_dir, manifest)
    logging.info("Verified %d records in %d shards (counts and SHA-256): %s", manifest["records"],
                 len(manifest["shards"]), output_dir)
    return manifest


def _write_shards(dataset: tf.data.Dataset, output_dir: str, manifest: dict,
                  records_per_shard: int, progress: Progress) -> int:
    """Writes the dataset's records into new shards after ``manifest``'s; the records done.

    A shard stopped midway (an error, an interrupt) is deleted; the next run rewrites it."""

    def to_stored(element):
        element = dict(element)
        element[data.IMAGE_KEY] = data.to_uint8(element[data.IMAGE_KEY])
        return element

    def mark() -> None:  # where an interrupt stops: the shard being written
        total = f" of {progress.total}" if progress.total else ""
        kept = sum(s["records"] for s in manifest["shards"])
        interrupts.at(f"{shard_name(len(manifest['shards']))} ({kept}{total} records kept)")

    def finish(finished) -> None:  # a signal meanwhile is acted on once the manifest lists it
        with interrupts.deferred():
            _finish_shard(output_dir, manifest, finished, shard, tmp)
            mark()

    done = progress.done
    shard = writer = tmp = None
    stored = dataset.map(to_stored, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    mark()
    try:
        for batch in stored.batch(256).prefetch(2).as_numpy_iterator():
            for i in range(len(batch[data.IMAGE_KEY])):
                if writer is None:
                    shard = {"file": shard_name(len(manifest["shards"])), "records": 0}
                    tmp = os.path.join(output_dir, "." + shard["file"] + ".partial")
                    with files.writing(os.path.join(output_dir, shard["file"])):
                        writer = tf.io.TFRecordWriter(tmp)
                with files.writing(os.path.join(output_dir, shard["file"])):
                    writer.write(tfrecord.encode({k: v[i] for k, v in batch.items()}))
                shard["records"] += 1
                done += 1
                if shard["records"] == records_per_shard:
                    finished, writer = writer, None
                    finish(finished)
            progress.update(done)
        if writer is not None:
            finished, writer = writer, None
            finish(finished)
    except BaseException:
        if writer is not None:
            with contextlib.suppress(OSError, tf.errors.OpError):
                writer.close()
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        raise
    return done


def _finish_shard(output_dir: str, manifest: dict, writer, shard: dict, tmp: str) -> None:
    """Closes a shard, moves it into place and records it in the manifest (atomically)."""
    path = os.path.join(output_dir, shard["file"])
    with files.writing(path):
        writer.close()
        os.replace(tmp, path)
        shard.update(bytes=os.path.getsize(path), sha256=files.sha256(path))
        manifest["shards"].append(shard)
        manifest["records"] = sum(s["records"] for s in manifest["shards"])
        _write_manifest(output_dir, manifest)
        logging.info("Wrote %s (%d records)", path, shard["records"])
