"""The labelled image grid: small images upscaled by nearest neighbour, one labelled row per
domain (issue 18, item 6)."""

import numpy as np
import pytest

from simgan.io import figures


def _rows(height, width, count=4, channels=1):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (count, height, width, channels), dtype=np.uint8)
            for _ in figures.GRID_ROWS]


def test_small_images_are_upscaled_by_nearest_neighbour_to_the_minimum_size():
    rows = _rows(8, 8)
    grid = figures.labelled_grid(rows, min_size=64, pad=2)
    scale = 8  # 8 px -> 64 px
    assert grid.shape[0] == 3 * (64 + 2) + 2
    label_width = grid.shape[1] - 4 * (64 + 2) - 2
    first = grid[2:2 + 64, label_width + 2:label_width + 2 + 64, 0]
    np.testing.assert_array_equal(first[::scale, ::scale], rows[0][0, :, :, 0])
    np.testing.assert_array_equal(first, np.kron(rows[0][0, :, :, 0],
                                                 np.ones((scale, scale), np.uint8)))


def test_large_images_keep_their_size_and_colour():
    grid = figures.labelled_grid(_rows(70, 90, count=2, channels=3), min_size=64)
    assert grid.shape[2] == 3 and grid.shape[0] == 3 * 72 + 2


def test_each_row_carries_its_label():
    grid = figures.labelled_grid(_rows(8, 8), min_size=32)
    label_width = grid.shape[1] - 4 * (32 + 2) - 2
    for i in range(3):
        label = grid[2 + i * 34:2 + i * 34 + 32, :label_width, 0]
        assert label.min() < 100  # dark text on white
    texts = [grid[2 + i * 34:2 + i * 34 + 32, :label_width, 0] for i in range(3)]
    assert not np.array_equal(texts[0], texts[1])  # 'synthetic' vs 'refined'
    np.testing.assert_array_equal(texts[2], figures.label_image("real", 32, label_width, 8))


def test_one_label_per_row():
    with pytest.raises(ValueError, match="3 rows and 2 labels"):
        figures.labelled_grid(_rows(8, 8), labels=("a", "b"))
