"""Buffer strategies that choose the refined images a discriminator step sees.

`history` is the paper's buffer of past refined images; `none` uses only the current ones.
All state lives in tf.Variables (and a tf.random.Generator) so it is saved in checkpoints.
"""

from __future__ import annotations

import tensorflow as tf

from simgan.core.registries import BUFFERS

@BUFFERS.register("none")
class NoBuffer(tf.Module):
    """No history: the discriminator sees only the current refined batch."""

    def __init__(self, *, image_shape: tuple[int, ...], batch_size: int, seed: int):
        super().__init__(name="no_buffer")

    def sample_and_update(self, refined: tf.Tensor) -> tf.Tensor:
        return refined


@BUFFERS.register("history")
class HistoryBuffer(tf.Module):
    """The paper's history of refined images (Shrivastava et al. 2017, Sec. 2.3).

    Each discriminator batch of b refined images takes b/2 from the current refiner and b/2
    drawn at random from a buffer of ``capacity_batches * b`` past refined images; afterwards
    b/2 buffer entries are replaced by current refined images (filling first, then at random).
    While the buffer is empty the whole batch is current. The paper does not state the buffer
    size; 100 batches is the choice of the widely used Keras SimGAN implementations.

    Under a multi-replica strategy each replica keeps its own buffer of its own refined images
    (on-read variables): no cross-device traffic per step, and each replica's discriminator
    batch still mixes current and past images in the paper's proportion. A checkpoint stores
    the first replica's buffer, which every replica restores.
    """

    def __init__(self, *, image_shape: tuple[int, ...], batch_size: int, seed: int,
                 capacity_batches: int = 100):
        super().__init__(name="history_buffer")
        if capacity_batches < 1:
            raise ValueError(f"history.capacity_batches: expected >= 1, got {capacity_batches}")
        self.capacity = int(capacity_batches) * int(batch_size)
        local = dict(trainable=False, synchronization=tf.VariableSynchronization.ON_READ,
                     aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self.images = tf.Variable(tf.zeros([self.capacity, *image_shape], tf.float32),
                                  name="images", **local)
        self.size = tf.Variable(0, dtype=tf.int64, name="size", **local)
        self.rng = tf.random.Generator.from_seed(seed)

    def sample_and_update(self, refined: tf.Tensor) -> tf.Tensor:
        refined = tf.cast(refined, tf.float32)
        half = tf.shape(refined, out_type=tf.int64)[0] // 2
        size = self.size.read_value()
        mixed = tf.cond(size > 0, lambda: self._mix(refined, half, size), lambda: refined)
        self._replace(refined[:half], half, size)
        return mixed

    def _mix(self, refined: tf.Tensor, half: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
        picks = self.rng.uniform([half], minval=0, maxval=size, dtype=tf.int64)
        history = tf.gather(self.images, picks)
        return tf.concat([refined[: tf.shape(refined, out_type=tf.int64)[0] - half], history], 0)

    def _replace(self, new: tf.Tensor, half: tf.Tensor, size: tf.Tensor) -> None:
        sequential = size + tf.range(half, dtype=tf.int64)
        # Distinct random slots: the first `half` of a random permutation of the buffer.
        scores = self.rng.uniform([self.capacity])
        random_slots = tf.cast(tf.math.top_k(scores, k=tf.cast(half, tf.int32)).indices, tf.int64)
        slots = tf.where(sequential < self.capacity, sequential, random_slots)
        if isinstance(self.images, tf.distribute.DistributedValues):
            # Replica-local (on-read) variables support only assign: write the whole buffer.
            self.images.assign(tf.tensor_scatter_nd_update(self.images, slots[:, None], new))
        else:  # in place, touching only the b/2 replaced images
            self.images.scatter_nd_update(slots[:, None], new)
        self.size.assign(tf.minimum(size + half, self.capacity))
