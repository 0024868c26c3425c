"""The built-in procedural eye simulator, registered as dataset ``eye_simulator``.

Two domains share one geometry: ``'synthetic'`` is the clean flat-shaded render; ``'real_like'``
adds skin and iris texture and a webcam-plus-preprocessing pipeline (``camera.py``), standing in
for real MPIIGaze crops when none are at hand. Example ``i`` of seed ``s`` is drawn from stateless
seeds derived from ``(s, i)`` (geometry and appearance from separate streams), so it is the
same in every run, in both domains, whatever the parallelism, and the iterator checkpoints.
Another ``render_batch_size`` keeps every label and changes images by float rounding only.
"""

from __future__ import annotations

from typing import Mapping

import tensorflow as tf

from simgan.core.registries import DATASETS
from simgan.plugins.eyes import camera, render

DOMAINS = ("synthetic", "real_like")
_GEOMETRY_STREAM, _APPEARANCE_STREAM = 0, 1


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"eye_simulator: {message}")


def _check_range(name: str, value: tuple[float, float], low: float, high: float,
                 unit: str = " degrees") -> None:
    _check(len(value) == 2 and all(isinstance(v, (int, float)) for v in value)
           and low <= value[0] <= value[1] <= high,
           f"{name} must be (min, max){unit} with {low} <= min <= max <= {high}; got {value!r}")


def _nuisances(overrides: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """render.NUISANCE_RANGES with ``overrides`` (checked against render.NUISANCE_LIMITS)."""
    _check(isinstance(overrides, Mapping), "nuisance_ranges must be a dict of name -> (min, "
                                           f"max); got {overrides!r}")
    ranges = dict(render.NUISANCE_RANGES)
    for name, value in overrides.items():
        _check(name in ranges, f"nuisance_ranges: unknown parameter {name!r}; known: "
                               f"{', '.join(ranges)}")
        value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        _check_range(f"nuisance_ranges[{name!r}]", value, *render.NUISANCE_LIMITS[name], unit="")
        ranges[name] = tuple(map(float, value))
    return ranges


@DATASETS.register("eye_simulator")
def eye_simulator(*, seed: int, domain: str = "synthetic", num_examples: int | None = None,
                  height: int = 35, width: int = 55,
                  yaw_range: tuple[float, float] = (-35.0, 35.0),
                  pitch_range: tuple[float, float] = (-30.0, 20.0),
                  nuisance_ranges: Mapping[str, tuple[float, float]] | None = None,
                  render_batch_size: int = 64) -> tf.data.Dataset:
    """Procedural eye images with gaze labels, clean ('synthetic') or camera-like ('real_like').

    Elements: "image" float32 [height, width, 1] in [-1, 1], "gaze" float32 [3] unit vector
    (x right, y down, z away from the camera), "pupil_center" float32 [2] (x, y) in pixels.
    Gaze yaw (> 0: toward image right) and pitch (> 0: up) are uniform in the ranges, degrees.
    ``nuisance_ranges`` replaces the ranges of named nuisance parameters (render.NUISANCE_RANGES:
    eye position, size, lids, tones, light), e.g. ``{'upper_lid': (0.3, 0.45)}``, to match a
    camera's eyes; the others keep theirs, and unchanged ranges draw the same eyes.
    ``num_examples=None`` is endless. Images are rendered ``render_batch_size`` at a time.
    """
    _check(domain in DOMAINS, f"domain must be one of {', '.join(map(repr, DOMAINS))}; "
                              f"got {domain!r}")
    _check(num_examples is None or num_examples >= 0,
           f"num_examples must be None (endless) or >= 0; got {num_examples!r}")
    _check(height >= 8 and width >= 8, f"height and width must be >= 8; got {height}x{width}")
    _check(render_batch_size >= 1, f"render_batch_size must be >= 1; got {render_batch_size!r}")
    _check_range("yaw_range", tuple(yaw_range), -80.0, 80.0)
    _check_range("pitch_range", tuple(pitch_range), -80.0, 80.0)
    real_like = domain == "real_like"
    yaw_range, pitch_range = tuple(map(float, yaw_range)), tuple(map(float, pitch_range))
    nuisances = _nuisances(nuisance_ranges or {})

    def sample(index: tf.Tensor) -> dict:
        base = tf.stack([tf.constant(seed, tf.int64), index])
        fold_in = tf.random.experimental.stateless_fold_in
        example = {"geometry": render.sample_geometry(fold_in(base, _GEOMETRY_STREAM),
                                                      yaw_range, pitch_range, nuisances)}
        if real_like:
            example["appearance"] = camera.sample_appearance(fold_in(base, _APPEARANCE_STREAM),
                                                             height, width)
        return example

    def draw(example: dict) -> dict:
        geometry = example["geometry"]
        appearance = example.get("appearance")
        image = render.render(geometry, height, width, texture=appearance)
        if real_like:
            image = camera.camera(image, appearance)
        return {"image": image[..., None] * 2.0 - 1.0, "gaze": geometry["gaze"],
                "pupil_center": render.pupil_center(geometry, height, width)}

    indices = (tf.data.Dataset.counter() if num_examples is None
               else tf.data.Dataset.range(num_examples))
    dataset = (indices.map(sample, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
               .batch(render_batch_size)
               .map(draw, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
               .unbatch())
    if num_examples is not None:  # unbatch forgets the length
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_examples))
    return dataset
