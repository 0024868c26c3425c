"""docs/results/real_eyes: the gin file of docs/RESULTS.md's CUT-toward-real-eyes screen composes
with the shipped CUT config: it parses against the registered components without a warning,
trains on the real training crops and scores realism against the held-out ones."""

import logging
import os

import gin

from simgan.configs import parsing
from simgan.core.engine.config import TrainConfig
from simgan.plugins import loading

CUT_REAL = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "results", "real_eyes",
                        "cut_real.gin")


def test_cut_toward_real_crops_parses_and_holds_out_the_scored_crops(caplog):
    loading.load_all()
    with caplog.at_level(logging.INFO):
        parsing.parse([CUT_REAL], [])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    config = TrainConfig()
    assert (config.task, config.real_dataset) == ("cut", "image_array")
    assert str(gin.query_parameter("real/image_array.path")) == "%MPIIGAZE_REAL"
    assert gin.query_parameter("%MPIIGAZE_REAL").endswith("unlabeled_train.npz")
    assert str(gin.query_parameter("heldout/image_array.path")) == "%MPIIGAZE_HELDOUT"
    assert gin.query_parameter("%MPIIGAZE_HELDOUT").endswith("unlabeled_heldout.npz")
    assert gin.query_parameter("c2st.real_scope") == "heldout"
    assert gin.query_parameter("c2st_train/c2st.real_scope") == "real"
