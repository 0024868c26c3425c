"""The 'real_like' domain: surface texture plus a webcam-and-preprocessing pipeline, in TF ops.

``sample_appearance`` draws, from its own stateless seed, the textures (skin pores and blotches,
iris streaks) that ``render.render`` takes, and the camera: uneven lighting and vignetting,
optical blur, gamma and contrast, sensor noise, 8-bit quantisation and, as MPIIGaze's crops are,
histogram equalisation (blended with the unequalised image). ``camera`` applies the latter to
rendered intensities of any batch shape ``[..., H, W]``.
"""

from __future__ import annotations

import math
from typing import Mapping

import tensorflow as tf

IRIS_HARMONICS = 6
BLUR_TAPS = 5  # kernel half-width in pixels

# Camera parameters, uniform in [low, high].
CAMERA_RANGES: dict[str, tuple[float, float]] = {
    "light_gradient_x": (-0.6, 0.6),  # relative intensity change across the image width
    "light_gradient_y": (-0.5, 0.5),
    "vignetting": (0.0, 0.5),
    "blur_sigma": (0.8, 1.5),          # pixels
    "log_gamma": (-0.5, 0.5),
    "contrast": (0.6, 1.2),
    "noise_sigma": (0.003, 0.02),
    "equalize": (0.75, 1.0),           # weight of the histogram-equalised image
}


def _smooth_field(seed: tf.Tensor, coarse: tuple[int, int], height: int, width: int) -> tf.Tensor:
    """Low-frequency standard-normal noise [H, W], bicubically upsampled from ``coarse``."""
    field = tf.random.stateless_normal([*coarse, 1], seed)
    return tf.image.resize(field, [height, width], method="bicubic")[..., 0]


def sample_appearance(seed: tf.Tensor, height: int, width: int) -> dict[str, tf.Tensor]:
    """Textures and camera parameters for one image from stateless ``seed`` [2]."""
    seeds = tf.random.experimental.stateless_split(seed, 9)
    u = tf.random.stateless_uniform([len(CAMERA_RANGES)], seeds[0])
    appearance = {name: low + (high - low) * u[i]
                  for i, (name, (low, high)) in enumerate(CAMERA_RANGES.items())}
    pores = tf.random.stateless_normal([height, width], seeds[1])
    appearance["skin"] = tf.exp(0.08 * _smooth_field(seeds[2], (4, 6), height, width)
                                + 0.07 * _smooth_field(seeds[8], (9, 14), height, width)
                                + 0.015 * pores)
    appearance["illumination_noise"] = _smooth_field(seeds[3], (3, 4), height, width)
    appearance["sensor_noise"] = tf.random.stateless_normal([height, width], seeds[4])
    appearance["iris_frequency"] = tf.floor(
        tf.random.stateless_uniform([IRIS_HARMONICS], seeds[5], 3.0, 24.0))
    appearance["iris_amplitude"] = tf.random.stateless_uniform([IRIS_HARMONICS], seeds[6], 0.0,
                                                               0.12)
    appearance["iris_phase"] = tf.random.stateless_uniform([IRIS_HARMONICS], seeds[7], 0.0,
                                                           2 * math.pi)
    return appearance


def _blur(image: tf.Tensor, sigma: tf.Tensor) -> tf.Tensor:
    """Separable Gaussian blur of [..., H, W] with a per-image ``sigma`` [...]; edges replicated."""
    taps = tf.range(-BLUR_TAPS, BLUR_TAPS + 1, dtype=tf.float32)
    weights = tf.exp(-(taps ** 2) / (2.0 * sigma[..., None] ** 2))
    weights /= tf.reduce_sum(weights, -1, keepdims=True)  # [..., taps]
    for axis in (-2, -1):
        size = image.shape[axis]
        first = tf.gather(image, [0], axis=axis)
        last = tf.gather(image, [size - 1], axis=axis)
        padded = tf.concat([tf.repeat(first, BLUR_TAPS, axis=axis), image,
                            tf.repeat(last, BLUR_TAPS, axis=axis)], axis=axis)
        shifted = tf.stack([tf.gather(padded, tf.range(i, i + size), axis=axis)
                            for i in range(2 * BLUR_TAPS + 1)], -1)
        image = tf.reduce_sum(shifted * weights[..., None, None, :], -1)
    return image


def equalize(image: tf.Tensor) -> tf.Tensor:
    """Histogram equalisation of [..., H, W] by pixel rank: values spread evenly over [0, 1]."""
    shape = tf.shape(image)
    flat = tf.reshape(image, tf.concat([shape[:-2], [-1]], 0))
    ranks = tf.argsort(tf.argsort(flat, axis=-1, stable=True), axis=-1, stable=True)
    equalized = tf.cast(ranks, tf.float32) / tf.cast(tf.shape(flat)[-1] - 1, tf.float32)
    return tf.reshape(equalized, shape)


def camera(image: tf.Tensor, appearance: Mapping[str, tf.Tensor]) -> tf.Tensor:
    """Photographs intensities [..., H, W] in [0, 1]; returns 8-bit-quantised values in [0, 1]."""
    height, width = image.shape[-2], image.shape[-1]
    a = {k: v[..., None, None] if v.shape.rank == image.shape.rank - 2 else v
         for k, v in appearance.items() if k in CAMERA_RANGES}
    ys, xs = tf.meshgrid(tf.linspace(-1.0, 1.0, height), tf.linspace(-1.0, 1.0, width),
                         indexing="ij")
    light = (1.0 + 0.5 * a["light_gradient_x"] * xs + 0.5 * a["light_gradient_y"] * ys
             + 0.15 * appearance["illumination_noise"])
    light *= 1.0 - a["vignetting"] * (xs ** 2 + ys ** 2) / 2.0
    image = image * tf.maximum(light, 0.05) + a["noise_sigma"] * appearance["sensor_noise"]
    image = _blur(image, appearance["blur_sigma"])
    image = tf.clip_by_value(image, 1e-4, 1.0) ** tf.exp(a["log_gamma"])
    image = tf.clip_by_value(0.5 + a["contrast"] * (image - 0.5), 0.0, 1.0)
    image = a["equalize"] * equalize(image) + (1.0 - a["equalize"]) * image
    return tf.round(image * 255.0) / 255.0
