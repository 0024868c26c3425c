"""The `cut` task (plugins/cut/task.py): its schedule and accuracy, `simgan-train` on the shipped
config end to end, resume to identical weights, and PatchNCE inside S+U by one gin line."""

import os
import shutil

import gin
import keras
import numpy as np
import pytest
import tensorflow as tf
from simgan.configs import parsing
from simgan.core.engine.config import TrainConfig
from simgan.core.engine.loop import Engine
from simgan.core.registries import LOSSES, TASKS
from simgan.io import evaluation_file
from simgan.plugins import loading
from simgan.plugins.cut.task import patch_accuracy
from simgan.plugins.heldout import METRIC as HELDOUT_METRIC
from train_cli import TOY_CONFIG, logged, run_train

import toy_data  # noqa: F401  (registers toy_squares)

SMALL_PATCHNCE = """
patchnce.layers = ['synthetic', 'stem', 'block0_out']
patchnce.num_patches = 8
patchnce.mlp_units = 8
"""
# The toy S+U run's data, batch and networks (its simgan.* bindings are unused here).
TOY_CUT = TOY_CONFIG + SMALL_PATCHNCE + """
train.task = 'cut'
train.image_every = 0
train.checkpoint_every = 4
train.mixed_precision = 'float32'
"""


def _engine(tmp_path, text: str, run: str, seed: int = 3, **bindings) -> Engine:
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    loading.load_all([])
    gin.clear_config()
    (tmp_path / "run.gin").write_text(text)
    parsing.parse([str(tmp_path / "run.gin")], [f"{k} = {v!r}" for k, v in bindings.items()])
    return Engine(TrainConfig(), str(tmp_path / run), seed)


def test_schedule_alternates_discriminator_and_generator_steps():
    loading.load_all([])
    task = TASKS.build("cut", iterations=3)
    assert task.total_steps() == 6
    assert [task.phase_at(s) for s in range(6)] == ["discriminator", "generator"] * 3
    with pytest.raises(IndexError):
        task.phase_at(6)
    with pytest.raises(ValueError, match="cut.discriminator_objective: needs an adversarial"):
        TASKS.build("cut", discriminator_objective=["r1_penalty"])
    with pytest.raises(ValueError, match="cut.iterations: expected an integer >= 0"):
        TASKS.build("cut", iterations=-1)
    with pytest.raises(ValueError, match="cut.heldout_real_examples: expected an integer >= 0"):
        TASKS.build("cut", heldout_real_examples=-1)


def test_shipped_configs_hold_the_paper_settings_of_cut_and_fastcut():
    loading.load_all([])
    parsing.parse(["cut/eyes_cpu.gin"], [])
    cut = TASKS.build("cut")
    weights = {name: term.weight for name, term in cut.generator_terms.terms}
    assert weights == {"least_squares_adversarial": 1.0, "patchnce": 1.0, "cut_identity": 1.0}
    assert dict(cut.generator_terms.terms)["patchnce"].settings.temperature == 0.07
    assert gin.query_parameter("refiner/adam.learning_rate") == 0.0002
    assert TrainConfig().batch_size == 32 and cut.total_steps() == 2 * 2300
    gin.clear_config()
    parsing.parse(["cut/eyes_cpu.gin", "cut/fastcut.gin"], [])
    fast = TASKS.build("cut")
    assert {name: term.weight for name, term in fast.generator_terms.terms} == {
        "least_squares_adversarial": 1.0, "patchnce": 10.0}


@pytest.mark.parametrize("loss", ["least_squares_adversarial", "local_adversarial"])
def test_accuracy_is_read_through_the_adversarial_loss(loss):
    loading.load_all([])
    term = LOSSES.build(loss)
    # Two-class logits whose log-odds of "real" are +1, -1, +2, -3 on a 2x2 patch map.
    log_odds = tf.constant([[[1.0, -1.0], [2.0, -3.0]]])
    logits = tf.stack([log_odds, tf.zeros_like(log_odds)], axis=-1)
    assert float(patch_accuracy(term, logits, True)[0]) == 0.5
    assert float(patch_accuracy(term, logits + [0.0, 5.0], False)[0]) == 1.0


def test_shipped_cut_config_trains_exports_and_evaluates(tmp_path):
    model_dir = tmp_path / "cut"
    overrides = {"eye_simulator.height": 16, "eye_simulator.width": 24, "train.batch_size": 4,
                 "cut.iterations": 2, "train.image_every": 2, "train.summary_every": 2,
                 "resnet.filters": 4, "resnet.num_blocks": 1,
                 "patchnce.layers": ["synthetic", "stem", "block0_out"],
                 "patchnce.num_patches": 8, "patchnce.mlp_units": 8,
                 "train.evaluators": ["c2st"], "c2st.train_examples": 16,
                 "c2st.test_examples": 16, "train_domain_classifier.steps": 2,
                 "domain_classifier.filters": (4,)}
    result = run_train(model_dir, "cut/eyes_cpu.gin",
                       *[f"--gin_param={k} = {v!r}" for k, v in overrides.items()])
    assert result.returncode == 0, result.stderr[-3000:]
    assert tf.train.latest_checkpoint(str(model_dir / "checkpoints")).endswith("ckpt-4")
    refiner = keras.saving.load_model(model_dir / "export" / "refiner.keras")
    assert refiner(np.zeros([1, 16, 24, 1], np.float32)).shape == (1, 16, 24, 1)
    final = evaluation_file.load_results(str(model_dir / "evaluation.json"))[-1]
    assert final["step"] == 4 and 0 <= final["c2st/refined/accuracy"] <= 1
    assert sorted(os.listdir(model_dir / "grids"))[-1] == "step_000004.png"
    operative = (model_dir / "operative_config.gin").read_text()
    assert "train.task = 'cut'" in operative and "cut_identity" in operative
    assert "CUT (steps 1-4)" in result.stdout and "patchnce" in result.stdout
    assert [step for step, _ in logged(model_dir, HELDOUT_METRIC)] == [2, 4]  # on, as shipped


def _checkpoint_tensors(model_dir) -> dict:
    reader = tf.train.load_checkpoint(str(model_dir / "checkpoints"))
    return {name: reader.get_tensor(name)
            for name, dtype in reader.get_variable_to_dtype_map().items()
            if dtype.is_floating or dtype.is_integer}


def test_heldout_accuracy_is_logged_at_each_summary_and_leaves_training_alone(tmp_path):
    plain = _engine(tmp_path, TOY_CUT, "plain", **{"cut.iterations": 4})
    plain.train()
    watched = _engine(tmp_path, TOY_CUT, "watched", **{"cut.iterations": 4,
                                                        "cut.heldout_real_examples": 16})
    watched.train()
    for a, b in zip(plain.task.generator.weights + plain.task.critic.weights,
                    watched.task.generator.weights + watched.task.critic.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert logged(tmp_path / "plain", HELDOUT_METRIC) == []
    assert watched.task.datasets == {"heldout_real": ("toy_squares", "real/heldout")}
    images = watched.task.heldout.images.numpy()
    assert images.shape == (16, 8, 12, 1) and images.mean() > -0.4  # the real domain's offset
    direct = float(np.mean(patch_accuracy(watched.task.accuracy_term,
                                          watched.task.critic(images, training=False), True)))
    curve = logged(tmp_path / "watched", HELDOUT_METRIC)
    assert [step for step, _ in curve] == [2, 4, 6, 8]
    assert curve[-1][1] == pytest.approx(direct, abs=1e-6)


def test_resumed_cut_run_reaches_identical_weights(tmp_path):
    straight = _engine(tmp_path, TOY_CUT, "straight", **{"cut.iterations": 4})
    straight.train()
    # A second run resumes from the straight run's mid-way checkpoint (step 4 of 8; found by
    # its file name, no index needed).
    halfway = tmp_path / "resumed" / "checkpoints"
    halfway.mkdir(parents=True)
    for path in (tmp_path / "straight" / "checkpoints").glob("ckpt-4.*"):
        shutil.copy(path, halfway)
    resumed = _engine(tmp_path, TOY_CUT, "resumed", **{"cut.iterations": 4})
    resumed.train()
    a, b = _checkpoint_tensors(tmp_path / "straight"), _checkpoint_tensors(tmp_path / "resumed")
    heads = resumed.task.term_modules["refiner_term_patchnce"].trainable_variables
    assert a.keys() == b.keys() and len(a) > len(heads) + 20
    assert int(a["refiner_term_patchnce/calls/.ATTRIBUTES/VARIABLE_VALUE"]) == 4
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    for mine, theirs in zip(straight.task.term_modules["refiner_term_patchnce"].trainable_variables,
                            heads):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_patchnce_trains_inside_su_with_one_gin_line(tmp_path):
    line = "simgan.refiner_objective = ['local_adversarial', 'self_regularization', 'patchnce']\n"
    engine = _engine(tmp_path, TOY_CONFIG + SMALL_PATCHNCE + line
                     + "train.image_every = 0\ntrain.mixed_precision = 'float32'\n", "su")
    term = engine.task.term_modules["refiner_term_patchnce"]
    before = [v.numpy().copy() for v in term.trainable_variables]
    assert all(any(v is w for w in engine.task.refiner_variables)
               for v in term.trainable_variables)
    engine.train()
    values = engine.values()
    assert np.isfinite(values["refiner/patchnce"]) and values["refiner/patchnce"] > 0
    assert int(term.calls.numpy()) == 4 + 4 * 2  # refiner pretraining and adversarial steps
    assert all(not np.array_equal(b, v.numpy()) for b, v in zip(before, term.trainable_variables))
    assert "refiner_term_patchnce/calls/.ATTRIBUTES/VARIABLE_VALUE" in _checkpoint_tensors(
        tmp_path / "su")
