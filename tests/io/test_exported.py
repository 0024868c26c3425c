"""The exported refiner: float32 in and out whatever the training precision, loadable without
simgan, and no partial file left by a failed export (issue 18, item 3)."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from simgan.core.engine import speed
from simgan.io import exported
from simgan.plugins.simgan import refiner as refiners

SHAPE = (8, 12, 1)


def _bfloat16_refiner() -> keras.Model:
    with speed.dtype_policy("mixed_bfloat16"):
        return refiners.resnet_refiner(input_shape=SHAPE, filters=4, num_blocks=1,
                                       padding="reflect")


def test_a_bfloat16_refiner_exports_float32_in_and_out(tmp_path):
    model = _bfloat16_refiner()
    assert model.outputs[0].dtype == "bfloat16"  # what training leaves
    path = exported.save(model, str(tmp_path))
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(0).uniform(-1, 1, (3, *SHAPE)).astype(np.float32)
    assert loaded.inputs[0].dtype == "float32"
    assert np.asarray(loaded(x)).dtype == np.float32
    assert loaded.predict(x, verbose=0).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x), np.float32))
    assert os.listdir(tmp_path / "export") == ["refiner.keras"]


def test_a_float32_refiner_is_exported_as_it_is(tmp_path):
    model = refiners.resnet_refiner(input_shape=SHAPE, filters=4, num_blocks=1)
    loaded = keras.saving.load_model(exported.save(model, str(tmp_path)))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_an_old_bfloat16_export_loads_float32(tmp_path):
    path = str(tmp_path / "old.keras")
    _bfloat16_refiner().save(path)  # as exported before the float32 wrapper
    x = np.zeros((2, *SHAPE), np.float32)
    assert np.asarray(exported.load(path)(x)).dtype == np.float32


def test_the_export_loads_without_simgan(tmp_path):
    path = exported.save(_bfloat16_refiner(), str(tmp_path))
    code = ("import sys, keras, numpy as np\n"
            f"m = keras.saving.load_model({path!r})\n"
            f"y = m.predict(np.zeros((1, {', '.join(map(str, SHAPE))}), np.float32), verbose=0)\n"
            "assert y.dtype == np.float32, y.dtype\n"
            "assert not [n for n in sys.modules if n.startswith('simgan')]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_full_disk_names_the_path_and_leaves_no_partial_file(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "refiner.partial.keras").symlink_to("/dev/full")  # every write: ENOSPC
    with pytest.raises(OSError, match=r"export/refiner.keras: cannot write the exported "
                                      r"refiner \(No space left on device\)"):
        exported.save(_bfloat16_refiner(), str(tmp_path))
    assert os.listdir(export) == []
