"""docs/results/shapes_probe: the outside user's domain of docs/ROBUSTNESS.md ("An outside
user's domain") is a plugin written from docs/PLUGINS.md; its commands compose with the shipped
model configs, and its real side is a fixed set in disjoint splits, as the page says."""

import os

import numpy as np

from train_cli import train_here

PROBE = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "results", "shapes_probe")
PLUGIN = os.path.join(PROBE, "shapes.py")


def _arrays(dataset):
    images, labels = zip(*((e["image"].numpy(), e["label"].numpy()) for e in dataset))
    return np.stack(images), np.array(labels)


def test_real_side_is_fixed_and_the_simulator_follows_the_seed():
    from simgan.plugins import loading

    shapes = loading.load_module(PLUGIN)
    real = {seed: _arrays(shapes.shape_domains(seed=seed, domain="real", num_examples=20))
            for seed in (0, 1)}
    np.testing.assert_array_equal(real[0][0], real[1][0])
    test, _ = _arrays(shapes.shape_domains(seed=0, domain="real", split="test", num_examples=20))
    assert not np.allclose(test, real[0][0])
    synthetic = [_arrays(shapes.shape_domains(seed=s, num_examples=20))[0] for s in (0, 1)]
    assert not np.allclose(*synthetic)
    images, labels = real[0]
    assert images.shape == (20, 12, 12, 1) and labels.dtype == np.int32
    assert images.min() >= -1.0 and images.max() <= 1.0 and set(labels) <= set(range(10))


def test_probe_configs_train_on_the_plugin(tmp_path):
    """new_domain_cpu.gin + shapes.gin (the probe's first command) trains and scores the
    downstream task, at a tiny size; paper_schedule.gin sets the paper's schedule over
    eyes_cpu.gin's own."""
    tiny = [
        "synthetic/shape_domains.num_examples = 64", "real/shape_domains.num_examples = 32",
        "simgan.refiner_pretrain_steps = 2", "simgan.discriminator_pretrain_steps = 1",
        "simgan.iterations = 2", "train.image_every = 0", "train.checkpoint_every = 0",
        "resnet.filters = 8", "resnet.num_blocks = 1", "downstream.train_examples = 32",
        "downstream.test_examples = 16", "downstream.num_seeds = 1",
        "train_task_model.steps = 2"]
    results = train_here(tmp_path / "m", ["simgan/new_domain_cpu.gin",
                                          os.path.join(PROBE, "shapes.gin")], *tiny,
                         plugins=(PLUGIN,))
    assert {"downstream/refined/accuracy", "downstream/oracle/validation_accuracy"} <= set(results)
    import gin
    from simgan.configs import parsing

    gin.clear_config()
    parsing.parse(["simgan/eyes_cpu.gin", os.path.join(PROBE, "paper_schedule.gin"),
                   os.path.join(PROBE, "shapes.gin")], [])
    assert gin.query_parameter("simgan.iterations") == 10000
    assert gin.query_parameter("simgan.refiner_pretrain_steps") == 1000
    gin.clear_config()
