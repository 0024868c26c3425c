"""configs/simgan/eyes_mpiigaze_real.gin: the real domain is the shared MPIIGaze crops."""

import os

import eyes_data
import gin
import numpy as np
import pytest

import simgan.core.engine.config  # noqa: F401  (registers `train`)
from simgan.configs import parsing
from simgan.core import data
from simgan.plugins import loading

CONFIG = "simgan/eyes_mpiigaze_real.gin"


def _parse(bindings=()):
    loading.load_all()
    parsing.parse([CONFIG], bindings)  # strict, as simgan-train parses it
    assert gin.query_parameter("train.synthetic_dataset") == "eye_simulator"
    assert gin.query_parameter("train.real_dataset") == "image_array"


def test_real_domain_reads_the_shared_npz(monkeypatch):
    if not os.path.exists(eyes_data.MPIIGAZE_REAL):
        pytest.skip(f"{eyes_data.MPIIGAZE_REAL} is absent")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), "..", "..", ".."))  # repo root
    _parse()
    real = data.batched(data.build("image_array", "real", seed=0), batch_size=16, seed=0)
    batch = next(iter(real))["image"].numpy()
    assert batch.shape == (16, 35, 55, 1) and -1 <= batch.min() < batch.max() <= 1
    assert batch.std() > 0.1  # real images, not a constant


def test_path_is_a_macro_the_user_overrides(tmp_path):
    path = str(tmp_path / "mine.npz")
    np.savez(path, images=np.full((3, 36, 60), 255, np.uint8))
    _parse([f"MPIIGAZE_REAL = '{path}'"])
    elements = list(data.build("image_array", "real", seed=0).as_numpy_iterator())
    assert len(elements) == 3 and elements[0]["image"].min() == 1.0


def test_cpu_config_trains_toward_the_train_crops_and_scores_on_the_heldout_ones():
    loading.load_all()
    parsing.parse(["simgan/eyes_mpiigaze_real_cpu.gin"], [])
    assert gin.query_parameter("train.real_dataset") == "image_array"
    assert gin.query_parameter("%MPIIGAZE_REAL").endswith("unlabeled_train.npz")
    assert gin.query_parameter("%MPIIGAZE_HELDOUT").endswith("unlabeled_heldout.npz")
    for evaluator in ("c2st", "kid"):
        assert gin.query_parameter(f"{evaluator}.real_scope") == "heldout"
    assert gin.query_parameter("resnet.padding") == "reflect"  # the CPU model, not the paper's
    assert gin.query_parameter("train.batch_size") == 32
    # The classifier's train + test draws fit in the 664 held-out crops.
    assert (gin.query_parameter("c2st.train_examples")
            + gin.query_parameter("c2st.test_examples")) <= 664
