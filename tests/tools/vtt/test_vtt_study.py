"""The image catalog and the study design: opaque ids, sequences, examples, bad folders."""

import io
import os

import pytest
from PIL import Image

from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.study import Design, Study


def test_ids_are_opaque_stable_and_unique(image_dirs):
    a, b = Catalog(*image_dirs), Catalog(*image_dirs)
    ids = a.ids("real") + a.ids("refined")
    assert ids == b.ids("real") + b.ids("refined") and a.fingerprint == b.fingerprint
    assert len(set(ids)) == 24
    for image_id in ids:
        assert len(image_id) == 16 and "img" not in image_id and "real" not in image_id


def test_png_is_normalized_and_scaled(tmp_path, make_images):
    real, refined = str(tmp_path / "r"), str(tmp_path / "f")
    make_images(real, 3, 150, size=(11, 7))
    make_images(refined, 2, 40, size=(11, 7))
    # An odd-sized RGB JPEG among them is served at the common size and mode.
    Image.new("RGB", (20, 9), (200, 10, 10)).save(os.path.join(refined, "odd.jpg"))
    catalog = Catalog(real, refined, scale=3)
    assert catalog.size == (11, 7) and catalog.mode == "RGB"
    for image_id in catalog.ids("real") + catalog.ids("refined"):
        with Image.open(io.BytesIO(catalog.png(image_id))) as image:
            assert image.format == "PNG" and image.size == (33, 21) and image.mode == "RGB"


def test_bad_folders_name_the_file(tmp_path, make_images):
    real, refined = str(tmp_path / "r"), str(tmp_path / "f")
    make_images(real, 3, 150)
    with pytest.raises(ValueError, match="--refined.*not a directory"):
        Catalog(real, refined)
    os.makedirs(refined)
    with pytest.raises(ValueError, match="--refined.*no .png"):
        Catalog(real, refined)
    with open(os.path.join(refined, "broken.png"), "wb") as f:
        f.write(b"not an image")
    with pytest.raises(ValueError, match="broken.png: not a readable"):
        Catalog(real, refined)
    with pytest.raises(ValueError, match="scale"):
        Catalog(real, real, scale=0)


def test_design_validates_fields():
    for bad in ({"images_per_participant": 0}, {"real_fraction": 1.5}, {"seed": -1},
                {"examples_per_domain": -2}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Design(**bad)
    design = Design(images_per_participant=7, real_fraction=0.3)
    assert (design.num_real, design.num_refined) == (2, 5)


def test_sequences_are_seeded_balanced_and_never_use_examples(image_dirs):
    catalog = Catalog(*image_dirs)
    study = Study(catalog, Design(images_per_participant=8, examples_per_domain=3, seed=5))
    again = Study(catalog, Design(images_per_participant=8, examples_per_domain=3, seed=5))
    other_seed = Study(catalog, Design(images_per_participant=8, examples_per_domain=3, seed=6))
    assert study.examples == again.examples and len(study.examples["real"]) == 3
    examples = set(study.examples["real"] + study.examples["refined"])
    sequences = [study.sequence(k) for k in range(1, 6)]
    assert sequences == [again.sequence(k) for k in range(1, 6)]
    assert len({tuple(s) for s in sequences}) == 5  # Each participant gets their own order.
    assert sequences[0] != other_seed.sequence(1)
    for sequence in sequences:
        truths = [truth for _, truth in sequence]
        assert truths.count("real") == 4 and truths.count("refined") == 4
        assert len({image_id for image_id, _ in sequence}) == 8
        assert not examples & {image_id for image_id, _ in sequence}
        for image_id, truth in sequence:
            assert catalog.record(image_id).domain == truth


def test_too_few_images_is_a_clear_error(image_dirs):
    with pytest.raises(ValueError, match="--real: the folder holds 12 images.*10 examples"):
        Study(Catalog(*image_dirs), Design(images_per_participant=8, examples_per_domain=10))
