"""An outside user's domain, written from docs/PLUGINS.md as a user with another simulator
would: 12x12 gray shapes, ten classes. Not part of the package and never used to choose a
setting (docs/ROBUSTNESS.md, "An outside user's domain").

The simulator draws every shape filled, crisp, at full contrast on black; the real images are
the same shapes drawn as outlines by a wobbly pen (stroke width, slant, faint ink, a grey
background, blur and noise): a gap a refiner has to cross with a local change (hollow the
fill), and one a task model trained on filled shapes does not cross by itself. The real side
is a fixed set, the same in every run, in disjoint train / validation / test parts, with
labels used only to score the downstream task.
"""

import numpy as np
import tensorflow as tf
from scipy import ndimage

from simgan.core.registries import DATASETS

SHAPES = ("disk", "square", "triangle_up", "triangle_down", "diamond", "plus", "cross",
          "bar_h", "bar_v", "half_disk")
_SUPER = 4  # drawn at 4x the output size, averaged down: anti-aliased edges
_REAL_SEED = 20261205  # the real set does not depend on the run's seed
_REAL_OFFSET = {"train": 0, "validation": 100_000, "test": 200_000}


def _inside(shape: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Whether each point (u right, v down, shape radius 1) is inside shape ``shape``."""
    au, av = np.abs(u), np.abs(v)
    name = SHAPES[shape]
    if name == "disk":
        return u * u + v * v < 1.0
    if name == "square":
        return np.maximum(au, av) < 0.8
    if name == "triangle_up":
        return (v < 0.75) & (au < (v + 0.95) * 0.55)
    if name == "triangle_down":
        return (v > -0.75) & (au < (0.95 - v) * 0.55)
    if name == "diamond":
        return au + av < 1.0
    if name == "plus":
        return ((au < 0.3) & (av < 0.95)) | ((av < 0.3) & (au < 0.95))
    if name == "cross":
        p, q = (u + v) / np.sqrt(2.0), (u - v) / np.sqrt(2.0)
        return ((np.abs(p) < 0.3) & (np.abs(q) < 0.95)) | ((np.abs(q) < 0.3) & (np.abs(p) < 0.95))
    if name == "bar_h":
        return (av < 0.35) & (au < 0.95)
    if name == "bar_v":
        return (au < 0.35) & (av < 0.95)
    return (u * u + v * v < 1.0) & (v > -0.1)  # half_disk, flat side up


def _draw(rng: np.random.Generator, shape: int, size: int, real: bool) -> np.ndarray:
    """One image in [-1, 1], ``size`` x ``size``."""
    n = size * _SUPER
    y, x = np.mgrid[0:n, 0:n] / _SUPER + 0.5 / _SUPER
    centre = size / 2.0 + rng.uniform(-1.2, 1.2, size=2)
    radius = rng.uniform(0.3, 0.4) * size
    angle = np.deg2rad(rng.uniform(-20, 20) if real else rng.uniform(-8, 8))
    dx, dy = (x - centre[0]) / radius, (y - centre[1]) / radius
    u = np.cos(angle) * dx + np.sin(angle) * dy
    v = -np.sin(angle) * dx + np.cos(angle) * dy
    if real:
        u, v = u * rng.uniform(0.85, 1.15), v * rng.uniform(0.85, 1.15)
        u = u + 0.08 * np.sin(3.0 * v + rng.uniform(0, 6.3))  # the pen's wobble
        filled = _inside(shape, u, v)
        stroke = rng.uniform(0.18, 0.32)
        inner = _inside(shape, u / (1.0 - stroke), v / (1.0 - stroke))
        mask = filled & ~inner
    else:
        mask = _inside(shape, u, v)
    ink = mask.astype(np.float64).reshape(size, _SUPER, size, _SUPER).mean(axis=(1, 3))
    if not real:
        return (ink * 1.8 - 0.9).astype(np.float32)
    ink = ndimage.gaussian_filter(ink, rng.uniform(0.3, 0.7))
    background, strength = rng.uniform(-0.9, -0.5), rng.uniform(0.9, 1.4)
    image = background + strength * ink + rng.normal(0.0, 0.06, ink.shape)
    return np.clip(image, -1.0, 1.0).astype(np.float32)


@DATASETS.register("shape_domains")
def shape_domains(*, seed: int, domain: str = "synthetic", split: str = "train",
                  num_examples: int | None = None, size: int = 12) -> tf.data.Dataset:
    """Filled shapes ('synthetic', drawn from ``seed``) or the fixed set of pen-drawn outlines
    ('real'; ``split`` 'train', 'validation' or 'test', 600 / 300 / 300 by default).
    Examples: ``image`` [size, size, 1] in [-1, 1], ``label`` int32 (the shape)."""
    if domain not in ("synthetic", "real"):
        raise ValueError(f"shape_domains.domain: expected 'synthetic' or 'real'; got {domain!r}")
    if split not in _REAL_OFFSET:
        raise ValueError(f"shape_domains.split: expected one of {tuple(_REAL_OFFSET)}; got "
                         f"{split!r}")
    real = domain == "real"
    if num_examples is None:
        num_examples = {"train": 600, "validation": 300, "test": 300}[split] if real else 4000
    base = _REAL_SEED + _REAL_OFFSET[split] if real else seed * 3 + list(_REAL_OFFSET).index(split)
    rng = np.random.default_rng(base)
    labels = rng.integers(0, len(SHAPES), num_examples).astype(np.int32)
    images = np.stack([_draw(rng, int(label), size, real) for label in labels])[..., None]
    return tf.data.Dataset.from_tensor_slices({"image": images, "label": labels})
