"""Fixtures for the visual Turing test: tiny image folders made with numpy and Pillow."""

import os

import numpy as np
import pytest
from PIL import Image


def write_images(folder: str, count: int, brightness: int, size=(11, 7), seed=0) -> list[str]:
    """`count` grayscale PNGs whose mean is about `brightness` + 30 (real ones are brighter)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng([seed, brightness])
    names = []
    for i in range(count):
        pixels = (rng.random((size[1], size[0])) * 60 + brightness).astype(np.uint8)
        name = f"img_{i:03d}.png"
        Image.fromarray(pixels).save(os.path.join(folder, name))
        names.append(name)
    return names


@pytest.fixture
def make_images():
    return write_images


@pytest.fixture
def image_dirs(tmp_path):
    """(real_dir, refined_dir) with 12 images each; real images are bright, refined dark."""
    real, refined = str(tmp_path / "real"), str(tmp_path / "refined")
    write_images(real, 12, brightness=150)
    write_images(refined, 12, brightness=40)
    return real, refined
