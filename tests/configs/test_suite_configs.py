"""configs/suite/: every pair parses on the shipped CPU model, the suite spans the sizes issue
19 asks for, each labelled pair's label exists, each pair's held-out real images fit the run,
and one pair trains end to end at tiny sizes."""

import glob
import json
import os

import gin
import pytest

import eyes_data
from simgan import configs
from simgan.configs import parsing
from simgan.core import data
from simgan.core.engine.config import TrainConfig
from simgan.plugins import loading
from train_cli import run_train

PAIRS = sorted(os.path.relpath(p, configs.path())
               for p in glob.glob(os.path.join(configs.path(), "suite", "*.gin")))
DOMAINS_PLUGIN = "simgan.plugins.domains"
HELDOUT = os.path.join(os.path.dirname(eyes_data.MPIIGAZE_REAL), "unlabeled_heldout.npz")


def _parse(pair):
    loading.load_all([DOMAINS_PLUGIN])
    parsing.parse(["simgan/eyes_cpu.gin", pair], [
        f"SUITE_MPIIGAZE_TRAIN = '{eyes_data.MPIIGAZE_REAL}'",
        f"SUITE_MPIIGAZE_HELDOUT = '{HELDOUT}'"] if "mpiigaze" in pair else [])
    return TrainConfig()


def test_the_suite_spans_image_sizes_real_set_sizes_and_labelled_pairs():
    assert len(PAIRS) >= 4
    sizes, real_sets, labelled = set(), set(), 0
    for pair in PAIRS:
        gin.clear_config()
        train = _parse(pair)
        assert train.synthetic_dataset == train.real_dataset
        if "mpiigaze" in pair and not os.path.exists(eyes_data.MPIIGAZE_REAL):
            continue  # the shared crops are absent here; the pair still parsed
        real = data.build(train.real_dataset, "real", seed=0)
        sizes.add(tuple(real.element_spec["image"].shape[:2]))
        real_sets.add(int(real.cardinality()))
        # The overfitting signal's held-out images: the validation split, shaped as the run's.
        heldout = data.build(train.real_dataset, gin.query_parameter("simgan.heldout_real_scope"),
                             seed=0)
        assert heldout.element_spec["image"].shape == real.element_spec["image"].shape
        assert heldout.cardinality() >= gin.query_parameter("simgan.heldout_real_examples") > 0
        if "downstream" in train.evaluators:
            labelled += 1
            assert gin.query_parameter("downstream.label_key") in real.element_spec
    assert min(sizes) == (8, 8) and (35, 55) in sizes
    assert min(real_sets) == 300 and max(real_sets) == 2400
    assert labelled >= 2


@pytest.mark.slow  # a training and the downstream evaluation, half a minute
def test_a_pair_trains_and_evaluates_end_to_end(tmp_path):
    tiny = ["simgan.refiner_pretrain_steps=2", "simgan.discriminator_pretrain_steps=1",
            "simgan.iterations=2", "train.batch_size=4", "resnet.filters=4",
            "resnet.num_blocks=1", "real/photo_orientation.num_examples=16",
            "downstream.train_examples=32", "downstream.test_examples=16",
            "downstream.num_seeds=1", "train_task_model.steps=3", "c2st.train_examples=16",
            "c2st.test_examples=8", "train_domain_classifier.steps=3"]
    result = run_train(tmp_path / "m", "simgan/eyes_cpu.gin", "--gin_file=suite/photos_gray8.gin",
                       f"--plugin={DOMAINS_PLUGIN}", *[f"--gin_param={p}" for p in tiny])
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((tmp_path / "m" / "evaluation.json").read_text())[-1]
    for row in ("synthetic", "refined", "oracle"):
        assert 0.0 <= record[f"downstream/{row}/accuracy"] <= 1.0
    assert 0.0 <= record["c2st/refined/accuracy"] <= 1.0
