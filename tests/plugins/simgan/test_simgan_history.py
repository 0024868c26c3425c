"""The paper's history buffer: half current, half history; b/2 random replacements; state in
tf.Variables so it survives a checkpoint."""

import numpy as np
import tensorflow as tf

from simgan.core.registries import BUFFERS
import simgan.plugins.simgan  # noqa: F401


def batch(value, n=4):
    return tf.fill([n, 2, 2, 1], float(value))


def test_history_mixes_half_current_half_past():
    buf = BUFFERS.build("history", image_shape=(2, 2, 1), batch_size=4, seed=0,
                        capacity_batches=2)
    first = buf.sample_and_update(batch(1))
    np.testing.assert_array_equal(first[:, 0, 0, 0], [1, 1, 1, 1])  # empty buffer: all current
    assert int(buf.size) == 2
    for value in range(2, 8):
        mixed = buf.sample_and_update(batch(value)).numpy()[:, 0, 0, 0]
        assert list(mixed[:2]) == [value, value]  # b/2 current
        assert all(v < value for v in mixed[2:])  # b/2 from the history
    assert int(buf.size) == buf.capacity == 8
    stored = sorted(buf.images.numpy()[:, 0, 0, 0])
    assert stored[-1] == 7 and len(set(stored)) > 2  # random replacement keeps older images


def test_replacement_slots_are_distinct_and_random_once_full():
    buf = BUFFERS.build("history", image_shape=(1, 1, 1), batch_size=8, seed=1,
                        capacity_batches=1)
    buf.sample_and_update(tf.zeros([8, 1, 1, 1]))
    buf.sample_and_update(tf.zeros([8, 1, 1, 1]))  # now full (8 entries of 0)
    buf.sample_and_update(tf.ones([8, 1, 1, 1]))
    assert int(np.sum(buf.images.numpy())) == 4  # exactly b/2 distinct slots replaced


def test_state_round_trips_through_a_checkpoint(tmp_path):
    a = BUFFERS.build("history", image_shape=(2, 2, 1), batch_size=4, seed=3, capacity_batches=2)
    for v in range(4):
        a.sample_and_update(batch(v))
    path = tf.train.Checkpoint(buffer=a).save(str(tmp_path / "ckpt"))
    b = BUFFERS.build("history", image_shape=(2, 2, 1), batch_size=4, seed=99, capacity_batches=2)
    tf.train.Checkpoint(buffer=b).restore(path).assert_existing_objects_matched()
    np.testing.assert_array_equal(a.sample_and_update(batch(9)), b.sample_and_update(batch(9)))
    np.testing.assert_array_equal(a.images.numpy(), b.images.numpy())


def test_no_buffer_returns_current_batch():
    buf = BUFFERS.build("none", image_shape=(2, 2, 1), batch_size=4, seed=0)
    np.testing.assert_array_equal(buf.sample_and_update(batch(5)), batch(5))
