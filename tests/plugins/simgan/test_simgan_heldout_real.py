"""simgan.heldout_real_examples: the discriminator's accuracy on real images it never trains on,
logged at each summary step (the overfitting signal), without touching the run's training."""

import numpy as np
import pytest

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core import data, seeds
from simgan.core.data import DatasetContractError
from simgan.plugins import loading
from simgan.plugins.simgan.logits import patch_accuracy
from simgan.plugins.heldout import METRIC as HELDOUT_METRIC
from train_cli import TOY_CONFIG, logged, train_engine

loading.load_all()

HELDOUT = "simgan.heldout_real_examples = 32\n"


def train(model_dir, extra="", iterations=4):
    return train_engine(model_dir, TOY_CONFIG + f"simgan.iterations = {iterations}\n"
                        f"train.image_every = 0\n{extra}")


def test_the_heldout_accuracy_is_logged_at_each_summary_and_leaves_training_alone(tmp_path):
    plain = train(tmp_path / "plain")
    watched = train(tmp_path / "watched", HELDOUT)
    for a, b in zip(plain.task.trained_refiner.weights + plain.task.critic.weights,
                    watched.task.trained_refiner.weights + watched.task.critic.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert plain.task.heldout.images is None and plain.task.datasets == {}  # 0, the default: off
    assert logged(tmp_path / "plain", HELDOUT_METRIC) == []
    curve = logged(tmp_path / "watched", HELDOUT_METRIC)
    total = watched.task.total_steps()
    assert [step for step, _ in curve] == list(range(2, total + 1, 2))
    images = watched.task.heldout.images.numpy()
    assert images.shape == (32, 8, 12, 1)
    direct = float(np.mean(patch_accuracy(watched.task.critic(images, training=False), True)))
    assert curve[-1][1] == pytest.approx(direct, abs=1e-6)
    assert watched.task.summary_scalars() == {HELDOUT_METRIC: pytest.approx(direct, abs=1e-6)}


def test_the_heldout_images_are_another_draw_than_the_training_ones(tmp_path):
    # The run's real dataset built again under 'real/heldout' (inheriting
    # real/toy_squares.domain) with its own seed stream.
    engine = train(tmp_path / "run", HELDOUT, iterations=0)
    assert engine.task.datasets == {"heldout_real": ("toy_squares", "real/heldout")}
    heldout = engine.task.heldout.images.numpy()
    again = data.take("toy_squares", "real/heldout", seeds.stream(3, "heldout_real_data"), 32)
    training = data.take("toy_squares", "real", seeds.stream(3, "real_data"), 32)
    np.testing.assert_array_equal(heldout, again["image"])
    assert not np.array_equal(heldout, training["image"])
    assert heldout.mean() > -0.4  # the real domain's +0.3 offset (synthetic images: -0.53)


def test_a_heldout_set_of_another_shape_or_too_small_or_a_negative_count_is_one_line(tmp_path):
    with pytest.raises(DatasetContractError, match=r"simgan.heldout_real_scope: Dataset "
                       r"'toy_squares' \(gin scope 'real/heldout'\) yields \[6, 12, 1\] images; "
                       r"the run trains on \[8, 12, 1\]"):
        train(tmp_path / "shape", HELDOUT + "real/heldout/toy_squares.height = 6\n")
    with pytest.raises(DatasetContractError, match=r"Dataset 'toy_squares' \(gin scope "
                       r"'real/heldout'\) has only 10 examples; 32 were asked for"):
        train(tmp_path / "small", HELDOUT + "real/heldout/toy_squares.num_examples = 10\n")
    with pytest.raises(ValueError, match=r"simgan.heldout_real_examples: expected 0 \(off\) or a "
                       r"number of images, got -1"):
        train(tmp_path / "negative", "simgan.heldout_real_examples = -1\n")


def test_a_heldout_file_bound_under_its_scope_is_the_one_read(tmp_path):
    # The real dataset's required path bound under the held-out scope is used, not a binding the
    # run ignores (configs/selection.py): its images are that file's, not the training file's.
    rng = np.random.default_rng(0)
    for name in ("train", "heldout"):
        np.savez(tmp_path / f"{name}.npz", images=rng.integers(0, 256, (40, 8, 12), np.uint8))
    engine = train(tmp_path / "run", HELDOUT + "train.real_dataset = 'image_array'\n"
                   f"real/image_array.path = '{tmp_path / 'train.npz'}'\n"
                   f"real/heldout/image_array.path = '{tmp_path / 'heldout.npz'}'\n"
                   "image_array.height = 8\nimage_array.width = 12\n", iterations=0)
    images = data.to_uint8(engine.task.heldout.images).numpy()[..., 0]
    heldout = {image.tobytes() for image in images}
    assert heldout <= {image.tobytes() for image in np.load(tmp_path / "heldout.npz")["images"]}
    assert not heldout & {image.tobytes() for image in np.load(tmp_path / "train.npz")["images"]}
