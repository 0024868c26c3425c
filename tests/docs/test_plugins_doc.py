"""docs/PLUGINS.md's examples, copied out of the page: a loss term, a refiner and a dataset,
each one file, train together with no core edit."""

import os
import re

from simgan.tools.ablate.summary import read_series
from train_cli import TOY_CONFIG, run_train, train_here, write_config

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "PLUGINS.md")


def doc_blocks() -> dict[str, str]:
    """Every fenced block of the page whose first line is '# <file name>', by file name."""
    text = open(DOC).read()
    blocks = re.findall(r"```(?:python|gin)\n# (\S+)\n(.*?)```", text, re.S)
    return {name: body for name, body in blocks}


def test_doc_plugins_train_without_core_edits(tmp_path):
    blocks = doc_blocks()
    plugins = ["smoothness.py", "two_conv.py", "stripes.py"]
    assert set(plugins) | {"smoothness.gin", "two_conv.gin", "stripes.gin"} <= set(blocks)
    for name in plugins:
        (tmp_path / name).write_text(blocks[name])
    config = (TOY_CONFIG + blocks["smoothness.gin"] + blocks["two_conv.gin"] + blocks["stripes.gin"]
              + "stripes.height = 8\nstripes.width = 12\ntrain.image_every = 0\n")
    result = run_train(tmp_path / "m", write_config(tmp_path, config),
                       *[f"--plugin={tmp_path / name}" for name in plugins])
    assert result.returncode == 0, result.stderr[-3000:]
    operative = (tmp_path / "m" / "operative_config.gin").read_text()
    assert "two_conv.filters = 8" in operative and "real/stripes.noise = 0.2" in operative
    assert "refiner/total_variation" in read_series(str(tmp_path / "m"))


def test_doc_task_trains_cut_in_one_file(tmp_path):
    """'A new GAN algorithm': the one-file CUT task and its gin file train on the toy data."""
    blocks = doc_blocks()
    (tmp_path / "mini_cut.py").write_text(blocks["mini_cut.py"])
    config = (TOY_CONFIG + blocks["mini_cut.gin"] + "mini_cut.iterations = 3\n"
              "patchnce.num_patches = 8\npatchnce.mlp_units = 8\ntrain.image_every = 0\n")
    result = run_train(tmp_path / "m", write_config(tmp_path, config),
                       f"--plugin={tmp_path / 'mini_cut.py'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mini CUT (steps 1-6)" in result.stdout
    assert {"refiner/patchnce", "discriminator/least_squares_adversarial"} <= set(
        read_series(str(tmp_path / "m")))
    assert (tmp_path / "m" / "export" / "refiner.keras").exists()


def test_doc_dataset_trains_with_the_new_domain_model(tmp_path):
    """The page's command for a dataset plugin: the suite-chosen model (simgan/new_domain_cpu.gin)
    with the plugin's gin file trains on the plugin's data, style code included."""
    text = open(DOC).read()
    command = re.search(r"simgan-train --plugin=stripes\.py (--gin_file=\S+ )+", text).group(0)
    gin_files = re.findall(r"--gin_file=(\S+)", command)
    assert gin_files == ["simgan/new_domain_cpu.gin", "stripes.gin"]
    blocks = doc_blocks()
    (tmp_path / "stripes.py").write_text(blocks["stripes.py"])
    config = (TOY_CONFIG + blocks["stripes.gin"]
              + "stripes.height = 8\nstripes.width = 12\ntrain.image_every = 0\n")
    train_here(tmp_path / "m", [gin_files[0], write_config(tmp_path, config)],
               plugins=(str(tmp_path / "stripes.py"),))
    operative = (tmp_path / "m" / "operative_config.gin").read_text()
    assert "resnet.style_channels = 4" in operative
    assert "train.synthetic_dataset = 'stripes'" in operative
    assert "'diversity'" in operative
