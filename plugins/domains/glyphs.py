"""Suite pair ``glyph_domains``: which letter is it? Clean font renders -> hand-drawn-looking
letters, small gray images on a black background, classified into ten letters ('glyph').

The shape of a user's small-classification domain (a renderer that gives labelled glyphs, a few
hundred real scans): both sides draw the same ten capitals of the font that ships with Pillow,
white on exact black (so the background sits at the range limit -1, as scanned strokes
thresholded to paper do). The synthetic side is the font as rendered: thin, crisp, full
contrast, a little jitter. The real side is what a pen and a scanner make of it: thicker or
thinner strokes, a slant and shear, blur, fainter ink and noise on the strokes. The labels of
both sides are the letter drawn, so the downstream task measures whether refinement pays.
Letters, not digits: scikit-learn's handwritten digits are kept for an independent check.

A second real side, ``real_style='bitmap'``, is made the way scanned character sets such as
NIST's were reduced to small images: the pen's geometry and stroke width, then a binary bitmap
at 32x32 counted over blocks (area-resized), so an 8x8 image has 17 gray levels, full-contrast
cores and no blur or noise: the appearance gap is binarization and blockiness, not faint ink.

The templates are rasterized once per letter set by Pillow's FreeType font renderer (the font's
glyphs, not a figure) and cached; everything after is TensorFlow with stateless draws, so
example ``i`` of a seed is the same in every run.
"""

from __future__ import annotations

import functools
import math

import keras
import numpy as np
import tensorflow as tf
from PIL import Image, ImageDraw, ImageFont

from simgan.core.registries import DATASETS
from simgan.plugins.domains import splits

_NAME = "glyph_domains"
LABEL_KEY = "glyph"
LETTERS = "ACEHKLNPTX"
REAL_STYLES = ("pen", "bitmap")
_CANVAS = 32  # templates and warps are drawn at 32x32, then area-resized to the asked size
_REAL_SEEDS = {"train": 700_001, "validation": 700_002, "test": 700_003}


@functools.lru_cache(maxsize=4)
def templates(letters: str = LETTERS) -> np.ndarray:
    """The ``letters`` of Pillow's built-in font, centred, float32 ``[len(letters), 32, 32]`` in
    [0, 1]."""
    font = ImageFont.load_default(size=32)
    images = []
    for letter in letters:
        image = Image.new("L", (_CANVAS, _CANVAS), 0)
        draw = ImageDraw.Draw(image)
        left, top, right, bottom = draw.textbbox((0, 0), letter, font=font)
        draw.text(((_CANVAS - right - left) / 2, (_CANVAS - bottom - top) / 2), letter,
                  fill=255, font=font)
        images.append(np.asarray(image, np.float32) / 255.0)
    return np.stack(images)


def _uniform(seed: tf.Tensor, stream: int, low: float, high: float) -> tf.Tensor:
    return tf.random.stateless_uniform([], tf.random.experimental.stateless_fold_in(seed, stream),
                                       low, high)


def _warp(image: tf.Tensor, seed: tf.Tensor, rotation_deg: float, shear: float,
          scale: tuple[float, float], shift: float) -> tf.Tensor:
    """``image`` [32, 32, 1] under a random rotation, shear, per-axis scale and shift about
    its centre (bilinear, black outside)."""
    angle = math.radians(rotation_deg) * _uniform(seed, 0, -1.0, 1.0)
    s = _uniform(seed, 1, -shear, shear)
    sx, sy = _uniform(seed, 2, *scale), _uniform(seed, 3, *scale)
    tx, ty = _uniform(seed, 4, -shift, shift), _uniform(seed, 5, -shift, shift)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # Output -> input map (what the transform op takes): the inverse of scale, shear, rotate.
    a, b = cos / sx, (sin + s * cos) / sx
    c, d = -sin / sy, (cos - s * sin) / sy
    centre = (_CANVAS - 1) / 2.0
    a2 = centre - a * (centre + tx) - b * (centre + ty)
    b2 = centre - c * (centre + tx) - d * (centre + ty)
    transform = tf.stack([a, b, a2, c, d, b2, 0.0, 0.0])
    return keras.ops.image.affine_transform(image[None], transform[None],
                                            fill_mode="constant")[0]


def font_letter(template: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The synthetic side: the font as rendered, thin crisp strokes at full contrast, a little
    jitter. ``template`` [32, 32, 1] in [0, 1]."""
    return _warp(template, seed, rotation_deg=5.0, shear=0.05, scale=(0.9, 1.05), shift=2.0)


def pen_letter(template: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The real side: a pen's slant and shear, then ``scanned``."""
    return scanned(_pen(template, seed), seed)


def bitmap_letter(template: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The 'bitmap' real side: a pen's slant, shear and stroke width, thresholded to a binary
    bitmap (the resize to the output size then counts ink per block)."""
    return tf.cast(_stroke_width(_pen(template, seed), seed) > 0.5, tf.float32)


def _pen(template: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    return _warp(template, tf.random.experimental.stateless_fold_in(seed, 0),
                 rotation_deg=15.0, shear=0.3, scale=(0.8, 1.1), shift=3.0)


def _stroke_width(image: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Strokes thickened by one or two 3x3 dilations, or kept (one chance in three each)."""
    dilations = tf.random.stateless_uniform(
        [], tf.random.experimental.stateless_fold_in(seed, 1), 0, 3, dtype=tf.int32)
    for step in range(2):
        thick = tf.nn.max_pool2d(image[None], 3, 1, "SAME")[0]
        image = tf.where(step < dilations, thick, image)
    return image


def scanned(image: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The real side's appearance, no geometry: ``_stroke_width``, blur, fainter ink, noise on
    the strokes, the paper left black."""
    fold_in = tf.random.experimental.stateless_fold_in
    image = tf.nn.avg_pool2d(_stroke_width(image, seed)[None], 3, 1, "SAME")[0]
    ink = _uniform(seed, 2, 0.55, 1.0)
    noise = 0.15 * tf.random.stateless_normal(tf.shape(image), fold_in(seed, 3))
    return tf.clip_by_value(image * (ink + noise), 0.0, 1.0)


@DATASETS.register(_NAME)
def glyph_domains(*, seed: int, domain: str = "synthetic", split: str = "train",
                  num_examples: int | None = None, height: int = 8, width: int = 8,
                  letters: str = LETTERS, real_style: str = "pen") -> tf.data.Dataset:
    """Font letters ('synthetic', endless unless ``num_examples``) or hand-drawn-looking ones
    ('real': fixed disjoint splits, plugins/domains/splits.py), ``real_style`` 'pen' (blurred,
    faint, noisy ink) or 'bitmap' (binary strokes counted per block). Elements: 'image' float32
    [height, width, 1] in [-1, 1] (black background at -1), 'glyph' int32, the index of the
    letter in ``letters`` (distinct characters of the font)."""
    splits.check(_NAME, domain, split, num_examples, height, width)
    if real_style not in REAL_STYLES:
        raise ValueError(f"{_NAME}.real_style: expected one of {REAL_STYLES}; got {real_style!r}")
    if len(letters) < 2 or len(set(letters)) != len(letters):
        raise ValueError(f"{_NAME}.letters: expected two or more distinct characters; got "
                         f"{letters!r}")
    shapes = tf.constant(templates(letters)[..., None])
    if domain == "synthetic":
        base, draw = tf.constant([splits.stream(seed, split), 0], tf.int64), font_letter
        indices = (tf.data.Dataset.counter() if num_examples is None
                   else tf.data.Dataset.range(num_examples))
    else:
        base = tf.constant([_REAL_SEEDS[split], 0], tf.int64)
        draw = pen_letter if real_style == "pen" else bitmap_letter
        count = splits.real_size(_NAME, split, num_examples)
        indices = tf.data.Dataset.range(count)

    def element(index: tf.Tensor) -> dict:
        example = tf.random.experimental.stateless_fold_in(base, index)
        label = tf.random.stateless_uniform([], tf.random.experimental.stateless_fold_in(
            example, 9), 0, len(letters), dtype=tf.int32)
        image = draw(tf.gather(shapes, label), example)
        image = tf.image.resize(image, [height, width], method="area")
        return {"image": image * 2.0 - 1.0, LABEL_KEY: label}

    dataset = indices.map(element, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset if domain == "synthetic" else splits.finite(dataset, count)
