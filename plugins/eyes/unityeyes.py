"""UnityEyes renders (synthetic, labelled): ``N.jpg`` with its ``N.json`` metadata.

UnityEyes writes 2-D landmarks as strings ``"(x, y, z)"`` in image pixels with y measured from
the image *bottom*, and the gaze ``eye_details.look_vec = "(x, y, z, 0)"`` in its camera frame
(x right, y up, z away from the camera). The project frame (MPIIGaze normalized camera) has y
down, so ``gaze = normalize((x, -y, z))``; an eye looking into the camera stays (0, 0, -1).

Crop (as in the UnityEyes gaze papers and GazeML): centred on the middle of the eyelid-margin
(``interior_margin_2d``) bounding box, ``width_scale`` x the eye width (caruncle centre to
margin point 8, the outer corner) wide, with the output's aspect ratio; then grayscale and an
antialiased resize to ``height x width``. Only the crop window of each JPEG is decoded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re

import numpy as np
import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.io import read_errors
from simgan.plugins.eyes import pipeline, records

_NAME = "unityeyes"
_NUMBER = r"\s*([-+0-9.eE]+|nan|inf|-inf)\s*"
_TUPLE = re.compile(r"^\(" + ",".join([_NUMBER] * 3) + r"(?:," + _NUMBER + r")?\)$")
_OUTER_CORNER = 8  # index of the outer eye corner among the 16 interior margin points
MIN_EYE_WIDTH = 1.0  # pixels; landmarks closer than this have collapsed (nothing to crop)
LOOK_VEC_TO_CAMERA = np.array([1.0, -1.0, 1.0], np.float32)  # UnityEyes y up -> project y down


@dataclasses.dataclass(frozen=True)
class UnityEyesMeta:
    """The parsed fields of one UnityEyes JSON (pixel coordinates, y from the image bottom)."""

    interior_margin: np.ndarray  # [16, 3]
    caruncle: np.ndarray  # [K, 3]
    iris: np.ndarray  # [32, 3]
    look_vec: np.ndarray  # [3], UnityEyes camera frame (y up)
    head_pose: np.ndarray  # [3], Euler angles in degrees

    def gaze(self) -> np.ndarray:
        """Unit gaze in the project frame (x right, y down, z away from the camera)."""
        return gaze_from_look_vec(self.look_vec)

    def eye_width(self) -> float:
        """Pixels from the caruncle's centre to the outer eye corner."""
        return float(np.linalg.norm(self.caruncle[:, :2].mean(axis=0)
                                    - self.interior_margin[_OUTER_CORNER, :2]))

    def crop(self, width_scale: float, aspect: float) -> tuple[float, float, float, float]:
        """(centre x, centre y from the bottom, width, height) of the eye crop, in pixels."""
        margin = self.interior_margin[:, :2]
        centre = (margin.min(axis=0) + margin.max(axis=0)) / 2
        crop_width = width_scale * self.eye_width()
        return float(centre[0]), float(centre[1]), float(crop_width), float(crop_width * aspect)


def gaze_from_look_vec(look_vec: np.ndarray) -> np.ndarray:
    """UnityEyes ``look_vec`` rows ``[..., 3+]`` (y up) -> unit project-frame gaze (y down)."""
    v = np.asarray(look_vec, np.float64)[..., :3] * LOOK_VEC_TO_CAMERA
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def _points(value, file: str, field: str, count: int | None) -> np.ndarray:
    expected = f"a list of {count or 'one or more'} strings \"(x, y, z)\""
    if not isinstance(value, list) or not value or (count and len(value) < count):
        records.fail(file, field, expected, repr(value)[:80])
    return np.stack([_vector(v, file, f"{field}[{i}]", 3) for i, v in enumerate(value)])


def _vector(value, file: str, field: str, size: int) -> np.ndarray:
    match = _TUPLE.match(value) if isinstance(value, str) else None
    numbers = [float(g) for g in match.groups() if g is not None] if match else []
    if len(numbers) < size or not np.all(np.isfinite(numbers)):
        records.fail(file, field, f"a string \"(x, y, z{', ...' if size > 3 else ''})\" of "
                     "finite numbers", repr(value)[:80])
    return np.array(numbers[:size], np.float64)


def parse(path: str) -> UnityEyesMeta:
    """Parses and validates one UnityEyes JSON file; errors name the file and the field."""
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        records.fail(path, "(file)", "a UnityEyes JSON object", f"{type(e).__name__}: {e}")
    if not isinstance(meta, dict):
        records.fail(path, "(file)", "a UnityEyes JSON object", type(meta).__name__)
    details = meta.get("eye_details")
    if not isinstance(details, dict) or "look_vec" not in details:
        records.fail(path, "eye_details.look_vec", "a string \"(x, y, z, 0)\"", "missing")
    look_vec = _vector(details["look_vec"], path, "eye_details.look_vec", 3)
    if not np.linalg.norm(look_vec) > 0:
        records.fail(path, "eye_details.look_vec", "a non-zero gaze vector", details["look_vec"])
    for field in ("interior_margin_2d", "caruncle_2d", "iris_2d", "head_pose"):
        if field not in meta:
            records.fail(path, field, "the field UnityEyes writes", "missing")
    parsed = UnityEyesMeta(
        interior_margin=_points(meta["interior_margin_2d"], path, "interior_margin_2d",
                                _OUTER_CORNER + 1),
        caruncle=_points(meta["caruncle_2d"], path, "caruncle_2d", None),
        iris=_points(meta["iris_2d"], path, "iris_2d", None),
        look_vec=look_vec,
        head_pose=_vector(meta["head_pose"], path, "head_pose", 3))
    if not parsed.eye_width() >= MIN_EYE_WIDTH:
        records.fail(path, "interior_margin_2d, caruncle_2d", f"eye landmarks spanning an eye at "
                     f"least {MIN_EYE_WIDTH:g} pixel wide (caruncle to outer corner)",
                     f"an eye {parsed.eye_width():.3g} pixels wide (collapsed landmarks)")
    return parsed


def _render_order(file: str) -> tuple[int, str]:
    stem = os.path.splitext(os.path.basename(file))[0]
    return (int(stem) if stem.isdigit() else -1, file)


def _crop_window(contents: tf.Tensor, crop: tf.Tensor) -> tf.Tensor:
    """The integer [top, left, height, width] window of ``crop``, kept inside the image."""
    shape = tf.cast(tf.io.extract_jpeg_shape(contents)[:2], tf.float32)
    size = tf.clip_by_value(tf.round(crop[3:1:-1]), 1.0, shape)  # (height, width)
    centre = tf.stack([shape[0] - crop[1], crop[0]])  # (y from the top, x)
    corner = tf.clip_by_value(tf.round(centre - size / 2), 0.0, shape - size)
    return tf.cast(tf.concat([corner, size], axis=0), tf.int32)


@DATASETS.register(_NAME)
def unityeyes(*, seed: int, path: str, height: int = 35, width: int = 55,
              width_scale: float = 1.5, shuffle: bool = True, verify: str = "header",
              skip_bad_records: bool = False) -> tf.data.Dataset:
    """UnityEyes renders in ``path``: eye crops resized to ``height x width`` with unit ``gaze``.

    When the dataset is built every JSON is parsed and every JPEG's structure checked
    (``verify='header'``) or every JPEG decoded once (``verify='decode'``, slower, also catches
    corrupt image data). ``shuffle`` permutes the file order with ``seed``.
    """
    pipeline.check_verify(verify, _NAME)
    bad = records.BadRecords(_NAME, skip_bad_records)
    files, crops, gazes = [], [], []
    for json_file in sorted(records.list_files(path, (".json",), _NAME), key=_render_order):
        image_file = os.path.splitext(json_file)[0] + ".jpg"
        with bad.guard():
            meta = parse(json_file)
            problem = records.image_file_problem(image_file, formats=("JPEG",))
            if problem:
                records.fail(image_file, "image", "the complete JPEG render beside its JSON",
                             problem)
            files.append(image_file)
            crops.append(meta.crop(width_scale, height / width))
            gazes.append(meta.gaze())
    if verify == "decode":
        keep = pipeline.decodable(files, bad)
        files, crops, gazes = ([seq[i] for i in keep] for seq in (files, crops, gazes))
    bad.report(len(files))
    read_errors.on_read_error(path, lambda: pipeline.undecodable(files, _NAME))
    arrays = {"file": records.tf_paths(files), "crop": np.array(crops, np.float32),
              "gaze": np.stack(gazes)}

    def load(element):
        contents = tf.io.read_file(element["file"])
        window = _crop_window(contents, element["crop"])
        image = tf.io.decode_and_crop_jpeg(contents, window, channels=1)
        return {"image": pipeline.fit_image(image, height, width, "resize"),
                "gaze": element["gaze"]}

    dataset = tf.data.Dataset.from_tensor_slices(pipeline.permuted(arrays, seed, shuffle)).map(
        load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if skip_bad_records:  # JPEGs that looked complete but fail to decode
        dataset = dataset.ignore_errors(log_warning=True)
    return dataset
