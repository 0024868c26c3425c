"""The suite's datasets: the contract of plugins/domains/splits.py (fixed, disjoint real
splits; seeded synthetic streams; labels), each pair's own rules, and one-line errors."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins import eyes  # noqa: F401  (registers eye_simulator and image_array)
from simgan.plugins import domains  # noqa: F401  (registers the suite's datasets)
from simgan.plugins.domains import glyphs, photos

EYES = dict(height=8, width=12)
PHOTOS = dict(height=8, width=8, min_crop=48)
GLYPHS = dict(height=8, width=8)


def _images(name, count, **kwargs):
    return data.first(DATASETS.build(name, **kwargs), count)


@pytest.mark.parametrize("name, shape, label", [
    ("eye_domains", EYES, "gaze"), ("photo_orientation", PHOTOS, "quarter_turn"),
    ("glyph_domains", GLYPHS, "glyph")])
def test_real_splits_are_fixed_and_disjoint_synthetic_follows_the_seed(name, shape, label):
    real = {split: _images(name, 12, seed=0, domain="real", split=split, num_examples=12,
                           **shape) for split in ("train", "validation", "test")}
    again = _images(name, 12, seed=7, domain="real", split="train", num_examples=12, **shape)
    assert np.array_equal(again["image"], real["train"]["image"])  # the seed does not change it
    flat = {split: a["image"].reshape(12, -1) for split, a in real.items()}
    for a, b in (("train", "validation"), ("train", "test"), ("validation", "test")):
        assert not np.any(np.all(flat[a][:, None] == flat[b][None], axis=-1))
    synthetic = [_images(name, 12, seed=s, domain="synthetic", num_examples=12, **shape)
                 for s in (0, 0, 1)]
    assert np.array_equal(synthetic[0]["image"], synthetic[1]["image"])
    assert not np.allclose(synthetic[0]["image"], synthetic[2]["image"])
    for arrays in (real["test"], synthetic[0]):
        assert label in arrays and arrays["image"].dtype == np.float32
        assert arrays["image"].min() >= -1.0 and arrays["image"].max() <= 1.0


def test_real_set_size_and_endless_synthetic():
    real = DATASETS.build("eye_domains", seed=0, domain="real", num_examples=20, **EYES)
    assert int(real.cardinality()) == 20
    assert int(DATASETS.build("eye_domains", seed=0, **EYES).cardinality()) == -1  # INFINITE


def test_real_photo_element_is_its_crop_turned_with_the_turn_parity_as_label():
    crops = np.stack(list(photos.photo_crops("t", "validation", 16, 8, 8, ("china.jpg",), 48)
                          .as_numpy_iterator()))
    real = _images("photo_orientation", 16, seed=0, domain="real", split="validation",
                   num_examples=16, photos=("china.jpg",), channels=3, **PHOTOS)
    turns = []
    for crop, image, label in zip(crops, real["image"], real["quarter_turn"]):
        k = [k for k in range(4) if np.allclose(np.rot90(crop, k) * 2 - 1, image, atol=1e-6)]
        assert k and k[0] % 2 == label
        turns.append(k[0])
    assert len(set(turns)) >= 3
    gray = _images("photo_orientation", 4, seed=0, domain="real", split="validation",
                   num_examples=4, photos=("china.jpg",), channels=1, **PHOTOS)
    assert gray["image"].shape == (4, 8, 8, 1)


def test_photo_blocks_split_each_row_two_one_one_and_cover_the_photo_once():
    blocks = {split: photos.split_blocks(split, 2, 427, 640)
              for split in ("train", "validation", "test")}
    assert [len(blocks[s]) for s in ("train", "validation", "test")] == [12, 6, 6]
    corners = [tuple(b[:3]) for split in blocks.values() for b in split]
    assert len(set(corners)) == 24
    for split in ("validation", "test"):  # one block of each row of each photo
        rows = sorted((int(p), int(top)) for p, top, *_ in blocks[split])
        assert rows == [(p, r * 142) for p in (0, 1) for r in range(3)]


def _npz(path, count, offset):
    images = (np.arange(count, dtype=np.uint8)[:, None, None] + offset) * np.ones(
        (1, 36, 60), np.uint8)
    np.savez(path, images=images)
    return str(path)


def test_mpiigaze_splits_read_the_files_in_order(tmp_path):
    files = dict(path=_npz(tmp_path / "train.npz", 20, 0),
                 heldout_path=_npz(tmp_path / "heldout.npz", 6, 100), validation_examples=5)

    def first_pixels(split, num_examples=None):
        dataset = DATASETS.build("mpiigaze_domains", seed=3, domain="real", split=split,
                                 num_examples=num_examples, **files)
        images = data.first(dataset, 100)["image"]
        assert "gaze" not in dataset.element_spec and images.shape[1:] == (35, 55, 1)
        return np.round((images[:, 0, 0, 0] + 1) * 127.5).astype(int).tolist()

    assert first_pixels("train") == list(range(15))
    assert first_pixels("train", 4) == [0, 1, 2, 3]
    assert first_pixels("validation") == list(range(15, 20))
    assert first_pixels("test") == list(range(100, 106))
    synthetic = DATASETS.build("mpiigaze_domains", seed=0, num_examples=2, **files)
    assert "gaze" in synthetic.element_spec
    with pytest.raises(ValueError, match="holds 15 images; 16 were asked for"):
        DATASETS.build("mpiigaze_domains", seed=0, domain="real", num_examples=16, **files)
    with pytest.raises(ValueError, match="mpiigaze_domains.validation_examples"):
        DATASETS.build("mpiigaze_domains", seed=0, domain="real",
                       **{**files, "validation_examples": 20})
    with pytest.raises(ValueError, match="mpiigaze_domains.heldout_path: .* none is set"):
        DATASETS.build("mpiigaze_domains", seed=0, domain="real", split="test",
                       path=files["path"])


@pytest.mark.parametrize("name, kwargs, message", [
    ("eye_domains", dict(domain="real_like"), "eye_domains.domain"),
    ("eye_domains", dict(split="dev"), "eye_domains.split"),
    ("eye_domains", dict(num_examples=0), "eye_domains.num_examples"),
    ("eye_domains", dict(height=4), "eye_domains.height/width"),
    ("photo_orientation", dict(height=8, width=12), "a quarter turn needs square images"),
    ("glyph_domains", dict(split="heldout"), "glyph_domains.split"),
    ("glyph_domains", dict(height=6), "glyph_domains.height/width"),
    ("glyph_domains", dict(real_style="ink"), "glyph_domains.real_style"),
    ("glyph_domains", dict(letters="AA"), "glyph_domains.letters: expected two or more"),
    ("photo_orientation", dict(channels=2), "photo_orientation.channels"),
    ("photo_orientation", dict(domain="real", photos=("moon.jpg",)),
     r"photo_orientation.photos: expected distinct names from \['china.jpg', 'flower.jpg'\]"),
    ("photo_orientation", dict(domain="real", min_crop=500), "photo_orientation.min_crop")])
def test_bad_settings_are_one_line_errors(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        DATASETS.build(name, seed=0, **kwargs)


def test_synthetic_edges_run_mostly_horizontal_before_the_turn():
    """The shared cue: vertical-gradient energy dominates in unturned (label 0) edge images."""
    arrays = _images("photo_orientation", 200, seed=0, num_examples=200, channels=1,
                     height=16, width=16)
    image = arrays["image"][..., 0]
    vertical = np.square(np.diff(image, axis=1)).mean(axis=(1, 2))
    horizontal = np.square(np.diff(image, axis=2)).mean(axis=(1, 2))
    predicted = (horizontal > vertical).astype(int)
    assert np.mean(predicted == arrays["quarter_turn"]) > 0.65
    assert 0.35 < arrays["quarter_turn"].mean() < 0.65
    assert tf.reduce_all(tf.math.is_finite(arrays["image"]))


def test_glyphs_draw_the_labelled_letter_on_black_and_real_strokes_are_wider_and_fainter():
    """Each image is its label's letter (nearest template), the background sits at -1 on both
    sides, and the real side's gap is the one described: more ink area, less peak brightness."""
    count = 200
    sides = {domain: _images("glyph_domains", count, seed=0, domain=domain, split="test",
                             num_examples=count, height=32, width=32)
             for domain in ("synthetic", "real")}
    letters = glyphs.templates().reshape(len(glyphs.LETTERS), -1) * 2 - 1
    synthetic = sides["synthetic"]["image"].reshape(count, -1)
    nearest = np.argmin(((synthetic[:, None] - letters[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == sides["synthetic"]["glyph"]) > 0.7
    assert set(sides["real"]["glyph"].tolist()) == set(range(len(glyphs.LETTERS)))
    for arrays in sides.values():
        assert np.mean(arrays["image"] == -1.0) > 0.4
    ink = {domain: np.mean(arrays["image"] > -0.5) for domain, arrays in sides.items()}
    peak = {domain: arrays["image"].max(axis=(1, 2, 3)).mean() for domain, arrays in sides.items()}
    assert ink["real"] > 1.2 * ink["synthetic"] and peak["real"] < peak["synthetic"]


def test_bitmap_glyphs_are_block_counts_of_binary_strokes_of_the_letters_asked_for():
    """real_style='bitmap': at 8x8 each pixel counts the ink of a 4x4 block of a binary 32x32
    bitmap (a multiple of 1/16), cores reach full brightness; the synthetic side draws the
    letters asked for (nearest template) and the 'pen' side the same letters, drawn otherwise."""
    letters, count = "BDFGJ", 60
    real = _images("glyph_domains", count, seed=0, domain="real", split="validation",
                   num_examples=count, letters=letters, real_style="bitmap", **GLYPHS)
    counts = (real["image"] + 1.0) / 2.0 * 16.0
    assert np.allclose(counts, np.round(counts), atol=1e-4)
    assert np.mean(real["image"].max(axis=(1, 2, 3)) == 1.0) > 0.5
    assert set(real["glyph"].tolist()) == set(range(len(letters)))
    pen = _images("glyph_domains", count, seed=0, domain="real", split="validation",
                  num_examples=count, letters=letters, **GLYPHS)
    assert np.array_equal(pen["glyph"], real["glyph"]) and not np.allclose(
        pen["image"], real["image"])
    synthetic = _images("glyph_domains", count, seed=0, num_examples=count, letters=letters,
                        height=32, width=32)
    shapes = glyphs.templates(letters).reshape(len(letters), -1) * 2 - 1
    flat = synthetic["image"].reshape(count, -1)
    nearest = np.argmin(((flat[:, None] - shapes[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == synthetic["glyph"]) > 0.7
