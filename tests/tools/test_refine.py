"""simgan-refine and the library behind it (tools/refining.py), with a refiner trained in
bfloat16 (issue 18, items 3 and 4): a folder to PNGs under the same names with labels carried,
.npz and TFRecord, a fixed order, resuming, and one-line errors."""

import errno
import json
import os
import re
import subprocess
import sys

import gin
import keras
import numpy as np
import pytest
from PIL import Image

import toy_gaze_data
from simgan.core import data
from simgan.core.engine import speed
from simgan.core.registries import DATASETS
from simgan.io import exported, files
from simgan.plugins import loading
from simgan.plugins.simgan import refiner as refiners
from simgan.tools import refined_files, refining

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHAPE = (10, 12, 1)


@pytest.fixture(autouse=True)
def _plugins():
    loading.load_all()


def _export(directory, shape=SHAPE, seed=0, **channels):
    """A refiner built in bfloat16 (as the CPU configs train), exported as training does;
    ``channels``: its ``noise_channels`` and ``style_channels``."""
    keras.utils.set_random_seed(seed)
    with speed.dtype_policy("mixed_bfloat16"):
        model = refiners.resnet_refiner(input_shape=shape, filters=4, num_blocks=1, **channels)
    return exported.save(model, str(directory))


def _folder(path, count=7, mode="L"):
    """PNGs (some in a sub-folder) and labels.csv; returns the relative names."""
    rng = np.random.default_rng(1)
    names, rows = [], ["file,x,y"]
    for i in range(count):
        name = f"deep/e{i}.png" if i % 3 == 0 else f"e{i}.png"
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        size = (10, 12, 3) if mode == "RGB" else (10, 12)
        Image.fromarray(rng.integers(0, 256, size, dtype=np.uint8), mode).save(path / name)
        names.append(name)
        rows.append(f"{name},{i},{-2 * i}")
    (path / "labels.csv").write_text("\n".join(rows) + "\n")
    return names


def _run(*args):
    return subprocess.run([sys.executable, "-m", "simgan.tools.refine", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _refine(refiner, input_dir, output_dir, **kwargs):
    gin.parse_config("image_folder.labels = 'labels.csv'")
    return refining.refine(refiner, str(output_dir), source=None, input_dir=str(input_dir),
                           **kwargs)


def test_a_folder_becomes_pngs_under_the_same_names_with_labels(tmp_path):
    names = _folder(tmp_path / "in")
    refiner = _export(tmp_path / "run")
    done = _run(f"--refiner={refiner}", f"--input_dir={tmp_path / 'in'}",
                f"--output_dir={tmp_path / 'out'}", "--batch_size=3",
                "--gin_param=image_folder.labels = 'labels.csv'")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "refine: 7/7 images (100.0%)" in done.stderr  # the progress line
    assert "Refined 7 images into" in done.stdout
    out = tmp_path / "out"
    labels = json.loads((out / "labels.json").read_text())
    assert list(labels) == sorted(names)  # the order refined in: sorted input paths
    model = exported.load(refiner)
    for i, name in enumerate(names):
        assert labels[name] == {"x": float(i), "y": float(-2 * i)}
        source = np.asarray(Image.open(tmp_path / "in" / name), np.float32)[None, ..., None]
        expected = data.to_uint8(refined_files.refine_batch(model, source / 127.5 - 1)).numpy()[0]
        np.testing.assert_array_equal(np.asarray(Image.open(out / name))[..., None], expected)
    manifest = json.loads((out / refined_files.MANIFEST).read_text())
    assert manifest["complete"] and manifest["images"] == 7
    assert manifest["identity"]["refiner_sha256"] == files.sha256(refiner)
    # The refined folder reads back as a labelled image folder.
    again = DATASETS.build("image_folder", seed=0, path=str(out), height=10, width=12,
                           labels="labels.json", shuffle=False, file_names=True)
    element = next(again.as_numpy_iterator())
    assert element["file"].decode() == sorted(names)[0] and "x" in element


def test_an_interrupted_refinement_resumes_after_its_last_batch(tmp_path, monkeypatch):
    """With noise and style channels: the resumed run draws what an uninterrupted one does."""
    _folder(tmp_path / "in", count=8)
    refiner = _export(tmp_path / "run", noise_channels=1, style_channels=2)
    calls, fail_at = [], [3]
    original = refined_files.refine_batch

    def counted(model, images):
        calls.append(len(images))
        if len(calls) == fail_at[0]:
            raise KeyboardInterrupt  # killed during the third batch
        return original(model, images)

    monkeypatch.setattr(refined_files, "refine_batch", counted)
    with pytest.raises(KeyboardInterrupt):
        _refine(refiner, tmp_path / "in", tmp_path / "out", batch_size=3)
    manifest = json.loads((tmp_path / "out" / refined_files.MANIFEST).read_text())
    assert manifest["images"] == 6 and not manifest["complete"]
    calls.clear()
    fail_at[0] = 0
    gin.clear_config()
    resumed = _refine(refiner, tmp_path / "in", tmp_path / "out", batch_size=3)
    assert resumed["complete"] and resumed["images"] == 8
    assert calls == [2]  # only the batch not finished before
    labels = json.loads((tmp_path / "out" / "labels.json").read_text())
    fresh = _refine(refiner, tmp_path / "in", tmp_path / "fresh", batch_size=3)
    assert fresh["images"] == 8
    for name in labels:
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out" / name)),
                                      np.asarray(Image.open(tmp_path / "fresh" / name)))
    assert json.loads((tmp_path / "fresh" / "labels.json").read_text()) == labels


def test_the_seed_fixes_the_noise_and_style_draws(tmp_path):
    _folder(tmp_path / "in", count=5)
    refiner = _export(tmp_path / "run", noise_channels=1, style_channels=2)

    def refined(name, seed):
        gin.clear_config()
        _refine(refiner, tmp_path / "in", tmp_path / name, batch_size=2, seed=seed,
                output_format="npz")
        return np.load(tmp_path / name / refined_files.NPZ)["images"]

    first, again, other = refined("a", 0), refined("b", 0), refined("c", 1)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first.astype(int) - other.astype(int)).max() > 10
    # the CLI's --seed is the same seed
    done = _run(f"--refiner={refiner}", f"--input_dir={tmp_path / 'in'}",
                f"--output_dir={tmp_path / 'cli'}", "--batch_size=2", "--seed=1",
                "--output_format=npz", "--gin_param=image_folder.labels = 'labels.csv'")
    assert done.returncode == 0, done.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "cli" / refined_files.NPZ)["images"], other)


def test_another_refiner_is_refused_naming_both_hashes(tmp_path):
    _folder(tmp_path / "in", count=3)
    first, second = _export(tmp_path / "a"), _export(tmp_path / "b", seed=1)
    _refine(first, tmp_path / "in", tmp_path / "out")
    with pytest.raises(refined_files.RefineError) as error:
        _refine(second, tmp_path / "in", tmp_path / "out")
    message = str(error.value)
    assert files.sha256(first) in message and files.sha256(second) in message
    assert "\n" not in message
    with pytest.raises(refined_files.RefineError,
                       match=r"other arguments \(output_format differ\)"):
        _refine(first, tmp_path / "in", tmp_path / "out", output_format="npz")


def test_npz_holds_images_names_and_labels(tmp_path):
    names = _folder(tmp_path / "in", count=5)
    refiner = _export(tmp_path / "run")
    _refine(refiner, tmp_path / "in", tmp_path / "out", output_format="npz", batch_size=2)
    with np.load(tmp_path / "out" / refined_files.NPZ) as arrays:
        assert arrays["images"].shape == (5, *SHAPE) and arrays["images"].dtype == np.uint8
        assert list(arrays["files"]) == sorted(names)
        assert list(arrays["x"]) == [float(names.index(n)) for n in sorted(names)]


def test_a_registered_dataset_to_tfrecord_carries_its_labels(tmp_path):
    refiner = _export(tmp_path / "run", shape=toy_gaze_data.SHAPE)
    manifest = refining.refine(refiner, str(tmp_path / "out"), source="toy_gaze_eyes",
                               output_format="tfrecord", max_records=50, records_per_shard=20,
                               batch_size=16)
    assert manifest["images"] == 50
    stored = next(iter(DATASETS.build("tfrecord", seed=0, path=str(tmp_path / "out"),
                                      height=20, width=24, shuffle=False).batch(50)))
    source = next(iter(toy_gaze_data.toy_gaze_eyes(seed=0).take(50).batch(50)))
    order = {k: np.lexsort(v["gaze"].numpy().T) for k, v in (("s", stored), ("o", source))}
    np.testing.assert_array_equal(stored["gaze"].numpy()[order["s"]],
                                  source["gaze"].numpy()[order["o"]])
    expected = refined_files.refine_batch(exported.load(refiner), source["image"].numpy())
    np.testing.assert_allclose(stored["image"].numpy()[order["s"]], expected[order["o"]],
                               atol=1.0 / 127.5 + 1e-6)


def test_a_source_of_another_shape_is_refused_naming_it_and_its_scope(tmp_path):
    refiner = _export(tmp_path / "run")  # takes SHAPE; toy_gaze_eyes yields another
    expected = (f"Dataset 'toy_gaze_eyes' (gin scope 'synthetic'): images are "
                f"{tuple(toy_gaze_data.SHAPE)} [H, W, C]; the refiner takes {SHAPE}")
    with pytest.raises(refined_files.RefineError, match=f"^{re.escape(expected)}$"):
        refining.refine(refiner, str(tmp_path / "out"), source="toy_gaze_eyes",
                        scope="synthetic")
    assert not (tmp_path / "out").exists()


def test_a_full_disk_names_the_output_file(tmp_path, monkeypatch):
    _folder(tmp_path / "in", count=2)
    refiner = _export(tmp_path / "run")

    def full(path, image):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(refined_files, "write_png", full)
    with pytest.raises(OSError, match=r"out/deep/e0.png: cannot write the refined image \(No "
                                      r"space left on device\)"):
        _refine(refiner, tmp_path / "in", tmp_path / "out")


def test_two_inputs_for_one_output_name_are_refused(tmp_path):
    _folder(tmp_path / "in", count=2)
    Image.fromarray(np.zeros((10, 12), np.uint8)).save(tmp_path / "in" / "e1.jpg")
    with pytest.raises(refined_files.RefineError, match=r"'e1.png' and 'e1.jpg' would both be "
                                                   r"written as 'e1.png'"):
        refining.refine(_export(tmp_path / "run"), str(tmp_path / "out"), source=None,
                        input_dir=str(tmp_path / "in"))


def test_the_documented_registered_dataset_example(tmp_path):
    """docs/DATASETS.md: a refiner of the paper's 35x55 eyes on the simulator's synthetic eyes,
    configured by the shipped gin file (issue 18: failed with "No configurable matching
    'train'")."""
    refiner = _export(tmp_path / "run", shape=(35, 55, 1))
    done = _run(f"--refiner={refiner}", "--source=eye_simulator", "--scope=synthetic",
                "--gin_file=simgan/eyes_paper.gin", "--max_records=20",
                f"--output_dir={tmp_path / 'out'}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png"))[:2] == ["000000.png",
                                                                       "000001.png"]
    assert len(json.loads((tmp_path / "out" / "labels.json").read_text())) == 20


@pytest.mark.parametrize("args, message", [
    (["--batch_size=0"], "flag --batch_size=0: 0 is not a positive integer"),
    (["--source=image_folder"], "image_folder.path is required and has no value"),
    (["--input_dir={rgb}"], "e0.png: image: expected 1 channel(s) (image_folder.channels), got 3"),
    (["--input_dir={rgb}", "--model_dir={rgb}"], "no config.gin; is it a simgan-train model dir?"),
])
def test_user_errors_are_one_line(tmp_path, args, message):
    _folder(tmp_path / "rgb", count=1, mode="RGB")
    refiner = _export(tmp_path / "run")
    args = [a.format(rgb=tmp_path / "rgb") for a in args]
    done = _run(f"--refiner={refiner}", f"--output_dir={tmp_path / 'out'}", *args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simgan-refine: error: "), done.stderr[-2000:]
    assert message in lines[0]


def test_a_plugin_run_without_its_plugin_says_to_pass_it(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.gin").write_text("stripes.noise = 0.2\n")  # a plugin's component
    done = _run(f"--model_dir={run}", f"--output_dir={tmp_path / 'out'}")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "No configurable matching 'stripes'" in lines[0], done.stderr[-2000:]
    assert "records no plugins (plugins.json): if it was trained with --plugin, give the same " \
        "--plugin here" in lines[0]
