"""Device-resident pools: sampling with and without replacement, labels with images,
checkpointed RNG state, and the render-once disk cache."""

import json
import os

import gin
import numpy as np
import pytest
import tensorflow as tf

from simgan.plugins.pool import cache as pool_cache
from simgan.plugins.pool import pool
from simgan.core.registries import DATASETS

RENDERS = []  # one entry per build of the dataset below


@DATASETS.register("pool_test_indexed")
def indexed(*, seed: int, num_examples: int | None = 10, offset: int = 0) -> tf.data.Dataset:
    """Element i: an image filled with i + offset and the label i + offset."""
    RENDERS.append(seed)
    indices = tf.data.Dataset.counter() if num_examples is None else tf.data.Dataset.range(
        num_examples)
    return indices.map(lambda i: {"image": tf.fill([2, 3, 1], tf.cast(i + offset, tf.float32)),
                                  "label": i + offset})


def make_pool(tmp_path, size=None, replacement=True, seed=0, **bindings):
    for key, value in bindings.items():
        gin.bind_parameter(f"pool_test_indexed.{key}", value)
    return pool.pool(seed=seed, dataset="pool_test_indexed", size=size, replacement=replacement,
                     cache_dir=str(tmp_path))


def source(tmp_path, batch, seed=3, **kwargs):
    dataset = make_pool(tmp_path, **kwargs)
    return pool.pool_batches(dataset, batch, seed, tf.distribute.get_strategy())


def test_without_replacement_every_epoch_is_a_permutation(tmp_path):
    batches = source(tmp_path, 4, replacement=False)
    drawn = np.concatenate([batches.next()["image"].numpy()[:, 0, 0, 0] for _ in range(5)])
    for epoch in (drawn[:10], drawn[10:]):
        assert sorted(epoch) == list(range(10))
    assert list(drawn[:10]) != list(drawn[10:])  # a new permutation per epoch


def test_with_replacement_is_seeded_and_in_range(tmp_path):
    draws = [np.stack([source(tmp_path, 6, seed=s).next()["image"].numpy() for _ in range(3)])
             for s in (1, 1, 2)]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])
    assert draws[0].min() >= 0 and draws[0].max() <= 9


def test_labels_travel_with_images(tmp_path):
    batch = source(tmp_path, 8).next()
    np.testing.assert_array_equal(batch["image"][:, 1, 2, 0].numpy(),
                                  batch["label"].numpy().astype(np.float32))


def test_first_n_of_an_endless_dataset(tmp_path):
    dataset = make_pool(tmp_path, size=7, num_examples=None)
    assert pool.pooled(dataset).size == 7
    assert [int(e["label"]) for e in dataset] == list(range(7))


@pytest.mark.parametrize("replacement", [True, False])
def test_restored_state_draws_the_same_batches_in_a_compiled_loop(tmp_path, replacement):
    batches = source(tmp_path, 4, replacement=replacement)
    draw_three = tf.function(lambda: tf.stack([batches.next()["image"] for _ in range(3)]))
    draw_three()
    saved = tf.train.Checkpoint(**batches.trackables("data")).save(str(tmp_path / "ckpt"))
    expected = draw_three().numpy()
    fresh = source(tmp_path, 4, replacement=replacement)
    tf.train.Checkpoint(**fresh.trackables("data")).restore(saved).assert_consumed()
    np.testing.assert_array_equal(fresh.next()["image"].numpy(), expected[0])
    np.testing.assert_array_equal(tf.function(fresh.next)()["image"].numpy(), expected[1])


def test_checkpoint_holds_the_rng_state_not_the_data(tmp_path):
    batches = source(tmp_path, 4, replacement=False)
    path = tf.train.Checkpoint(**batches.trackables("data")).save(str(tmp_path / "ckpt"))
    names = [name for name, _ in tf.train.list_variables(path)]
    assert any("drawn" in n for n in names) and any("order" in n for n in names)
    assert not any("pool_image" in n for n in names)


def test_rendered_once_then_loaded_from_the_cache(tmp_path):
    RENDERS.clear()
    first = make_pool(tmp_path, size=5)
    second = make_pool(tmp_path, size=5)
    assert len(RENDERS) == 1
    np.testing.assert_array_equal(pool.pooled(first).arrays["image"],
                                  pool.pooled(second).arrays["image"])
    make_pool(tmp_path, size=5, offset=100)  # another parameter value: another entry
    make_pool(tmp_path, size=5, seed=1)  # another seed
    assert len(RENDERS) == 3
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".npz")]) == 3


def test_scoped_bindings_are_part_of_the_key(tmp_path):
    RENDERS.clear()
    gin.parse_config("real/pool_test_indexed.offset = 50")
    with gin.config_scope("real"):
        real = make_pool(tmp_path, size=3)
    synthetic = make_pool(tmp_path, size=3)
    assert len(RENDERS) == 2
    assert pool.pooled(real).arrays["label"][0] == 50
    assert pool.pooled(synthetic).arrays["label"][0] == 0


def test_a_corrupted_cache_file_is_rendered_again(tmp_path):
    make_pool(tmp_path, size=4)
    [npz] = [tmp_path / f for f in os.listdir(tmp_path) if f.endswith(".npz")]
    sidecar = json.loads(npz.with_suffix(".json").read_text())
    assert sidecar["key"]["size"] == 4 and len(sidecar["sha256"]) == 64
    npz.write_bytes(npz.read_bytes()[:-10] + b"0123456789")
    RENDERS.clear()
    again = make_pool(tmp_path, size=4)
    assert len(RENDERS) == 1
    assert list(pool.pooled(again).arrays["label"]) == [0, 1, 2, 3]
    assert pool_cache.load(str(tmp_path), sidecar["key"]) is not None  # rewritten, verified


def test_cache_can_be_turned_off(tmp_path):
    pool.pool(seed=0, dataset="pool_test_indexed", cache=False, cache_dir=str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(pool_cache.CACHE_ENV, str(tmp_path))
    assert pool_cache.default_dir() == os.path.join(str(tmp_path), "pools")


def test_endless_dataset_needs_a_size(tmp_path):
    with pytest.raises(ValueError, match="pool.size: dataset 'pool_test_indexed' is endless"):
        make_pool(tmp_path, num_examples=None)


def test_size_beyond_the_dataset_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="asked for 20 elements but dataset"):
        make_pool(tmp_path, size=20)


def test_batch_larger_than_pool_without_replacement_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="cannot fill a batch of 16"):
        source(tmp_path, 16, replacement=False)


def test_cache_lives_on_any_tensorflow_filesystem():
    RENDERS.clear()
    cache_dir = "ram://pool_cache_test"
    first = pool.pool(seed=0, dataset="pool_test_indexed", size=4, cache_dir=cache_dir)
    again = pool.pool(seed=0, dataset="pool_test_indexed", size=4, cache_dir=cache_dir)
    assert len(RENDERS) == 1  # the second call read the ram:// cache
    assert list(pool.pooled(again).arrays["label"]) == list(pool.pooled(first).arrays["label"])
    assert any(name.endswith(".npz") for name in tf.io.gfile.listdir(cache_dir))
