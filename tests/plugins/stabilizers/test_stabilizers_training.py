"""The spectral-norm discriminator trains end to end through simgan-train (toy data), as
configs/ablations/spectral_norm.gin selects it."""

import numpy as np
import tensorflow as tf

from train_cli import TOY_CONFIG, run_train, write_config


def test_spectral_norm_variant_trains_and_checkpoints_its_power_iteration_vectors(tmp_path):
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n")
    result = run_train(tmp_path / "m", config, "--gin_file=ablations/spectral_norm.gin",
                       "--plugin=simgan.plugins.stabilizers", "--seed=3")
    assert result.returncode == 0, result.stderr[-3000:]
    reader = tf.train.load_checkpoint(str(tmp_path / "m" / "checkpoints"))
    vectors = [name for name in reader.get_variable_to_shape_map() if "vector_u" in name]
    assert len(vectors) == 5  # conv1..conv4 and the patch logits
    assert all(np.isfinite(reader.get_tensor(name)).all() for name in vectors)
