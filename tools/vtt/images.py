"""The study's images: two folders of PNG/JPG files, each image known by an opaque id.

Ids are content hashes, so they are stable across server restarts and reveal neither the file
name nor the domain. Every image is re-encoded as a PNG of one common size and mode before it is
served, so neither file format, metadata nor size can give the answer away.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import io
import os
import re

import numpy as np
from PIL import Image

from simgan.io.figures import png_bytes
from simgan.io.files import printable

DOMAINS = ("real", "refined")
EXTENSIONS = (".png", ".jpg", ".jpeg")
ID_PATTERN = re.compile(r"[0-9a-f]{16}")


@dataclasses.dataclass(frozen=True)
class ImageRecord:
    """One image of the study; `id` is the only thing that ever appears in a URL. `name` is
    the file name as text (the bytes of a name that is not UTF-8 shown as \\xNN)."""

    id: str
    domain: str
    name: str
    path: str
    size: tuple[int, int]
    mode: str


def _scan(folder: str, domain: str) -> list[ImageRecord]:
    if not os.path.isdir(folder):
        raise ValueError(f"--{domain}: {folder!r} is not a directory of images")
    records = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.name.lower().endswith(EXTENSIONS):
            continue
        if not entry.is_file():
            continue
        with open(entry.path, "rb") as f:
            data = f.read()
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                size, mode = image.size, image.mode
        except Exception as error:  # Pillow raises several types for broken files.
            raise ValueError(f"{printable(entry.path)}: not a readable PNG/JPG image ({error})"
                             ) from error
        if mode.startswith(("I", "F")):
            raise ValueError(f"{printable(entry.path)}: image mode {mode!r} (16-bit or float) is "
                             "not supported; expected 8-bit grayscale or colour")
        name = os.fsencode(entry.name)  # the bytes on disk, whatever their encoding
        digest = hashlib.sha256(domain.encode() + b"\0" + name + b"\0" + data).hexdigest()[:16]
        records.append(ImageRecord(digest, domain, printable(entry.name), entry.path, size, mode))
    if not records:
        raise ValueError(f"--{domain}: {folder!r} holds no .png/.jpg/.jpeg image")
    return records


class Catalog:
    """The real and refined images of a study, looked up by id only."""

    def __init__(self, real_dir: str, refined_dir: str, scale: int = 4):
        if not isinstance(scale, int) or not 1 <= scale <= 32:
            raise ValueError(f"scale: expected an integer in [1, 32], got {scale!r}")
        self.scale = scale
        self.records = {domain: _scan(folder, domain)
                        for domain, folder in zip(DOMAINS, (real_dir, refined_dir))}
        everything = self.all()
        self._by_id = {record.id: record for record in everything}
        if len(self._by_id) != len(everything):
            raise ValueError("two images hash to the same id; remove duplicate files")
        # The most common size wins; the odd one out is resized so size cannot leak the domain.
        self.size = collections.Counter(r.size for r in everything).most_common(1)[0][0]
        self.mode = "L" if all(r.mode in ("1", "L", "LA") for r in everything) else "RGB"
        # Browsers cache images too; this bounds the server's memory on large folders.
        self.png = functools.lru_cache(maxsize=2048)(self._render)

    @property
    def fingerprint(self) -> str:
        """A hash of every id: a results folder belongs to exactly one set of images."""
        return hashlib.sha256("\n".join(sorted(self._by_id)).encode()).hexdigest()

    def __contains__(self, image_id: object) -> bool:
        return isinstance(image_id, str) and image_id in self._by_id

    def record(self, image_id: str) -> ImageRecord:
        return self._by_id[image_id]

    def all(self) -> list[ImageRecord]:
        return self.records["real"] + self.records["refined"]

    def ids(self, domain: str) -> list[str]:
        return [record.id for record in self.records[domain]]

    def _render(self, image_id: str) -> bytes:
        """The image as served (`png`): common size and mode, nearest-neighbour upscaled."""
        with Image.open(self._by_id[image_id].path) as image:
            image = image.convert(self.mode)
        if image.size != self.size:
            image = image.resize(self.size, Image.Resampling.BILINEAR)
        width, height = self.size
        image = image.resize((width * self.scale, height * self.scale), Image.Resampling.NEAREST)
        pixels = np.asarray(image)
        return png_bytes(pixels[..., None] if pixels.ndim == 2 else pixels)
