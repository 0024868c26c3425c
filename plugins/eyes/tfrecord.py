"""The converted format (written by tools/convert.py): TFRecord shards plus ``manifest.json``.

Each record is a ``tf.train.Example``: ``image`` holds the fitted image as raw uint8 bytes (no
decoding when read back), every label a float list. The manifest lists the feature shapes and,
per shard, its file name, record count, size and SHA-256, and says whether the conversion is
complete. The reader interleaves shards and parses whole batches of records at once.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

import numpy as np
import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.io import files as file_utils, read_errors
from simgan.plugins.eyes import pipeline, records

_NAME = "tfrecord"
FORMAT = "simgan-tfrecord/1"
MANIFEST = "manifest.json"
_PARSE_BATCH = 256


def encode(element: Mapping[str, np.ndarray]) -> bytes:
    """One record: 'image' uint8 [H, W, C] as raw bytes, other entries as float lists."""
    feature = {"image": tf.train.Feature(
        bytes_list=tf.train.BytesList(value=[np.ascontiguousarray(element["image"]).tobytes()]))}
    for key, value in element.items():
        if key != "image":
            feature[key] = tf.train.Feature(float_list=tf.train.FloatList(
                value=np.asarray(value, np.float32).ravel()))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def parse_spec(features: Mapping[str, Any]) -> dict[str, tf.io.FixedLenFeature]:
    """The tf.io.parse_example spec for the manifest's ``features``."""
    return {k: tf.io.FixedLenFeature([], tf.string) if k == "image"
            else tf.io.FixedLenFeature(v["shape"], tf.float32) for k, v in features.items()}


def decode_batch(serialized: tf.Tensor, features: Mapping[str, Any]) -> dict[str, tf.Tensor]:
    """A batch of serialized records -> 'image' uint8 [B, H, W, C] and float32 labels."""
    parsed = tf.io.parse_example(serialized, parse_spec(features))
    image = tf.io.decode_raw(parsed["image"], tf.uint8, fixed_length=int(
        np.prod(features["image"]["shape"])))
    parsed["image"] = tf.reshape(image, [-1, *features["image"]["shape"]])
    return parsed


def read_manifest(path: str) -> dict:
    """The validated manifest of the converted folder ``path``."""
    file = os.path.join(path, MANIFEST)
    try:
        with open(file, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        records.fail(file, f"{_NAME}.path", "a folder written by tools/convert.py",
                     "no manifest.json")
    except (OSError, ValueError) as e:
        records.fail(file, "(file)", "a JSON manifest", f"{type(e).__name__}: {e}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        records.fail(file, "format", repr(FORMAT), repr(manifest.get("format")
                                                       if isinstance(manifest, dict) else manifest))
    shards = manifest.get("shards")
    if not isinstance(shards, list) or not all(
            isinstance(s, dict) and all(isinstance(s.get(k), str) for k in ("file", "sha256"))
            and all(isinstance(s.get(k), int) for k in ("records", "bytes")) for s in shards):
        records.fail(file, "shards", "a list of {file, records, bytes, sha256} entries",
                     repr(shards)[:80])
    image = manifest.get("features", {}).get("image") \
        if isinstance(manifest.get("features"), dict) else None
    shape = image.get("shape") if isinstance(image, dict) else None
    if not (isinstance(shape, list) and len(shape) == 3 and all(isinstance(d, int) and d > 0
                                                                for d in shape)):
        records.fail(file, "features.image.shape", "[height, width, channels]", repr(shape)[:80])
    if not isinstance(manifest.get("complete"), bool) or not isinstance(manifest.get("records"),
                                                                        int):
        records.fail(file, "complete, records", "a boolean and a record count",
                     f"{manifest.get('complete')!r}, {manifest.get('records')!r}")
    return manifest


def damaged_shard(path: str, manifest: Mapping[str, Any]) -> str | None:
    """The first shard of folder ``path`` whose SHA-256 differs from ``manifest``'s, described
    with the remedy; None when every shard is intact."""
    for shard in manifest["shards"]:
        file = os.path.join(path, shard["file"])
        if file_utils.sha256(file) != shard["sha256"]:
            return (f"{path}: shard {shard['file']} is corrupt (its SHA-256 differs from "
                    f"{MANIFEST}); run simgan-convert again with the same arguments and "
                    "--output_dir to rewrite it")
    return None


@DATASETS.register(_NAME)
def tfrecord(*, seed: int, path: str, height: int = 35, width: int = 55, fit: str = "crop",
             shuffle: bool = True, verify: bool = False) -> tf.data.Dataset:
    """Records converted by tools/convert.py in folder ``path`` (its manifest must be complete).

    Shards are interleaved (their order permuted with ``seed`` if ``shuffle``) and parsed in
    batches; images are fitted to ``height x width`` if they were stored at another size.
    ``verify`` checks every shard's SHA-256 against the manifest when the dataset is built (one
    read of the data); without it, a corrupt shard is found by checksum when reading fails.
    """
    pipeline.check_fit(fit, _NAME)
    records.require_directory(path, f"{_NAME}.path", "a folder written by tools/convert.py")
    manifest = read_manifest(path)
    if not manifest.get("complete"):
        records.fail(os.path.join(path, MANIFEST), "complete",
                     "a finished conversion (run tools/convert.py again to resume it)", "false")
    shards = manifest["shards"]
    if not shards:
        records.fail(os.path.join(path, MANIFEST), "shards", "at least one shard", "none")
    files = [os.path.join(path, shard["file"]) for shard in shards]
    missing = [shard["file"] for shard, file in zip(shards, files) if not os.path.isfile(file)]
    if missing:
        records.fail(path, "shards", f"the {len(shards)} shards listed in {MANIFEST}",
                     f"{len(missing)} missing ({', '.join(missing[:3])}"
                     f"{', ...' if len(missing) > 3 else ''}); run simgan-convert again with the "
                     "same arguments and --output_dir to rewrite them")
    for shard, file in zip(shards, files):
        if os.path.getsize(file) != shard["bytes"]:
            records.fail(file, "(file)", f"a shard of {shard['bytes']} bytes",
                         f"{os.path.getsize(file)} bytes")
    if verify and (problem := damaged_shard(path, manifest)):
        raise records.BadRecordError(problem)
    read_errors.on_read_error(path, lambda: damaged_shard(path, manifest))
    features = manifest["features"]
    pipeline.check_image_shape(path, "image", (0, *features["image"]["shape"]), height, width,
                               fit, _NAME)
    if shuffle:
        files = [files[i] for i in np.random.default_rng(seed).permutation(len(files))]

    def decode(serialized):
        batch = decode_batch(serialized, features)
        batch["image"] = pipeline.fit_image(batch["image"], height, width, fit)
        return batch

    dataset = tf.data.Dataset.from_tensor_slices(files).interleave(
        tf.data.TFRecordDataset, cycle_length=min(len(files), 8),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = dataset.batch(_PARSE_BATCH).map(
        decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).unbatch()
    return dataset.apply(tf.data.experimental.assert_cardinality(manifest["records"]))
