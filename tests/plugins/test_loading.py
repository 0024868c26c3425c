"""Components from outside the repo: an installed package's `simgan.plugins` entry point, and
a module passed with --plugin; a gin file selects them by name and trains."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from train_cli import TOY_CONFIG, TOY_PLUGIN, run_train, write_config
from simgan.plugins import loading

PLUGIN_SOURCE = textwrap.dedent('''
    """An outside refiner: one 3x3 conv with a tanh, registered as {name!r}."""
    import keras
    from simgan.core.registries import GENERATORS

    @GENERATORS.register("{name}")
    def tiny(*, input_shape, filters: int = 4):
        inputs = keras.Input(shape=tuple(input_shape))
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
        outputs = keras.layers.Conv2D(input_shape[-1], 1, activation="tanh")(x)
        return keras.Model(inputs, outputs, name="{name}")
''')


def make_package(root, package: str, refiner: str, entry_point: bool) -> None:
    """Writes an importable package and, optionally, its dist-info with the entry point,
    exactly as pip would lay it out in site-packages."""
    os.makedirs(root / package)
    (root / package / "__init__.py").write_text(PLUGIN_SOURCE.format(name=refiner))
    if entry_point:
        info = root / f"{package}-0.1.dist-info"
        os.makedirs(info)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(f"[simgan.plugins]\n{package} = {package}\n")


# Building the outside refiner and training it a little is the point: two refiner pretraining
# steps, no S+U iterations (each traced step costs seconds of TensorFlow tracing).
SHORT = TOY_CONFIG + ("simgan.refiner_pretrain_steps = 2\nsimgan.discriminator_pretrain_steps = 0\n"
                      "simgan.iterations = 0\ntrain.image_every = 0\n")


def env_with(path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    return env


def test_entry_point_plugin_trains_by_name(tmp_path):
    make_package(tmp_path / "site", "acme_refiners", "acme_tiny", entry_point=True)
    gin_file = write_config(tmp_path, SHORT + "simgan.refiner = 'acme_tiny'\n"
                            "acme_tiny.filters = 3\n")
    result = run_train(tmp_path / "m", gin_file, env=env_with(tmp_path / "site"))
    assert result.returncode == 0, result.stderr[-3000:]
    config = (tmp_path / "m" / "operative_config.gin").read_text()
    assert "acme_tiny.filters = 3" in config


def test_flag_plugin_trains_by_name(tmp_path):
    make_package(tmp_path / "src", "beta_refiners", "beta_tiny", entry_point=False)
    gin_file = write_config(tmp_path, SHORT + "simgan.refiner = 'beta_tiny'\n")
    result = run_train(tmp_path / "m", gin_file, "--plugin=beta_refiners",
                       env=env_with(tmp_path / "src"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "beta_tiny" in (tmp_path / "m" / "operative_config.gin").read_text()
    # The run records its plugins, so simgan-refine reads the run without being told again.
    assert json.loads((tmp_path / "m" / "plugins.json").read_text()) == {
        "plugins": [TOY_PLUGIN, "beta_refiners"]}
    refined = subprocess.run(
        [sys.executable, "-m", "simgan.tools.refine", f"--model_dir={tmp_path / 'm'}",
         f"--output_dir={tmp_path / 'refined'}", "--max_records=3"],
        capture_output=True, text=True, timeout=300, env=env_with(tmp_path / "src"))
    assert refined.returncode == 0, refined.stderr[-3000:]
    assert len(list((tmp_path / "refined").rglob("*.png"))) == 3


def test_a_run_loads_its_recorded_plugins_and_names_one_that_is_gone(tmp_path, monkeypatch):
    plugin = tmp_path / "gamma.py"
    plugin.write_text(PLUGIN_SOURCE.format(name="gamma_tiny"))
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.chdir(tmp_path)  # a relative path is recorded absolute and loaded once
    loading.record(str(run), ["gamma.py"])
    loading.load_module("gamma.py")
    loading.load_for_run(str(run), [])
    assert loading.load_module(str(plugin)) is loading.load_module("gamma.py")
    assert loading.as_recorded("toy_data") == "toy_data"

    moved = tmp_path / "moved"
    moved.mkdir()
    loading.record(str(moved), [str(moved / "gone.py")])
    with pytest.raises(loading.PluginError) as error:
        loading.load_for_run(str(moved), [], "--plugin")
    assert str(error.value).startswith(f"{moved / 'plugins.json'}: recorded plugin "
                                       f"'{moved / 'gone.py'}' does not load")
    assert "give its new place with --plugin, which replaces the record" in str(error.value)
    loading.load_for_run(str(moved), [str(plugin)])  # given plugins replace the record


def test_missing_plugin_module_is_a_clear_error():
    with pytest.raises(loading.PluginError, match="no_such_plugin_xyz.*not found"):
        loading.load_module("no_such_plugin_xyz")


def test_built_in_plugins_are_entry_points():
    loaded = loading.load_entry_points() + list(loading._loaded)
    assert "simgan.plugins.simgan" in loaded
