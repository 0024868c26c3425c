"""The stabilizer variants train end to end as simgan-train runs them (toy data): the spectral-norm
discriminator, DiffAugment, and ADA, whose strength adapts and resumes exactly."""

import numpy as np
import pytest
import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, train_here, write_config

STABILIZERS = ("simgan.plugins.stabilizers",)


def test_spectral_norm_variant_trains_and_checkpoints_its_power_iteration_vectors(tmp_path):
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n")
    train_here(tmp_path / "m", [config, "ablations/spectral_norm.gin"], seed=3,
               plugins=STABILIZERS)
    reader = tf.train.load_checkpoint(str(tmp_path / "m" / "checkpoints"))
    vectors = [name for name in reader.get_variable_to_shape_map() if "vector_u" in name]
    assert len(vectors) == 5  # conv1..conv4 and the patch logits
    assert all(np.isfinite(reader.get_tensor(name)).all() for name in vectors)


def _strength(model_dir):
    reader = tf.train.load_checkpoint(str(model_dir / "checkpoints"))
    names = [n for n in reader.get_variable_to_shape_map() if "strength" in n]
    assert len(names) == 1, names
    return float(reader.get_tensor(names[0]))


@pytest.mark.slow  # three trainings, about a minute
def test_ada_variant_adapts_the_strength_and_resumes_to_the_same_weights(tmp_path):
    # A tiny speed so the strength moves within the toy run's few discriminator steps.
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n"
                          "ada.speed_images = 64\n")
    args = ("--gin_file=ablations/ada.gin", "--plugin=simgan.plugins.stabilizers", "--seed=3")
    result = run_train(tmp_path / "m", config, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 0.0 < _strength(tmp_path / "m") <= 1.0
    # The same run again in one go and with its first part cut off by a shorter schedule.
    short = write_config(tmp_path, TOY_CONFIG.replace("simgan.iterations = 4",
                                                      "simgan.iterations = 2")
                         + "train.image_every = 0\nada.speed_images = 64\n", "short.gin")
    assert run_train(tmp_path / "r", short, *args).returncode == 0
    resumed = run_train(tmp_path / "r", config, *args)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = tf.train.load_checkpoint(str(tmp_path / "m" / "checkpoints"))
    b = tf.train.load_checkpoint(str(tmp_path / "r" / "checkpoints"))
    for name, dtype in a.get_variable_to_dtype_map().items():
        if dtype.is_floating:
            np.testing.assert_array_equal(a.get_tensor(name), b.get_tensor(name), err_msg=name)


def test_diffaugment_variant_trains(tmp_path):
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n")
    train_here(tmp_path / "m", [config, "ablations/diffaugment.gin"], seed=3,
               plugins=STABILIZERS)
    assert _strength(tmp_path / "m") == 1.0
