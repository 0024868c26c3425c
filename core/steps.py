"""The S+U training steps as one compiled function, under a tf.distribute strategy.

`TrainingSteps.run(phase_ids)` executes a sequence of steps (refiner pretraining, refiner,
discriminator pretraining, discriminator) in one tf.function call: each step pulls its batches
from checkpointable sources (host iterators, optionally staged on the device), splits them across replicas, computes the gradients
(optionally XLA-compiled, optionally in mixed precision with loss scaling), applies them, and
records its losses in variables. Nothing returns to Python between steps, so fusing several
steps in one call removes the per-step dispatch overhead.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from simgan.core import schedule
from simgan.core.adversarial import patch_accuracy
from simgan.core.objectives import DiscriminatorInputs, Objective, RefinerInputs

PHASES = (schedule.REFINER_PRETRAIN, schedule.REFINER, schedule.DISCRIMINATOR_PRETRAIN,
          schedule.DISCRIMINATOR)
PHASE_IDS = {phase: i for i, phase in enumerate(PHASES)}
ACCURACY_METRICS = ("discriminator/accuracy_real", "discriminator/accuracy_refined")


class TrainingSteps:
    """Owns the step counter, the divergence flag and the last value of every loss."""

    def __init__(self, *, strategy: tf.distribute.Strategy, refiner: keras.Model,
                 discriminator: keras.Model, refiner_optimizer: keras.optimizers.Optimizer,
                 discriminator_optimizer: keras.optimizers.Optimizer, buffer: tf.Module,
                 refiner_objective: Objective, discriminator_objective: Objective,
                 global_batch: int,
                 synthetic, real, max_loss: float, jit_compile: bool):
        self.strategy = strategy
        self.refiner, self.discriminator = refiner, discriminator
        self.refiner_optimizer = refiner_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.buffer = buffer
        self.refiner_objective = refiner_objective
        self.discriminator_objective = discriminator_objective
        self.global_batch = global_batch
        self.synthetic, self.real = synthetic, real  # staging.HostBatches or DeviceStage
        self.max_loss = float(max_loss)
        with strategy.scope():
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
            self.diverged_at = tf.Variable(-1, dtype=tf.int64, trainable=False, name="diverged_at")
            self.metrics = {name: tf.Variable(0.0, trainable=False, name=name.replace("/", "_"))
                            for name in self.metric_names()}
        compile_ = lambda fn: tf.function(fn, jit_compile=jit_compile)
        self._refiner_gradients = compile_(self._refiner_gradients_impl)
        # Called without `training`, so a refiner with noise channels draws its noise here too.
        self._refine = compile_(lambda x: tf.cast(self.refiner(x), tf.float32))
        self._discriminator_gradients = compile_(self._discriminator_gradients_impl)
        self.run = tf.function(self._run, input_signature=[tf.TensorSpec([None], tf.int32)])

    def metric_names(self, player: str | None = None) -> tuple[str, ...]:
        """The metrics of ``player`` ('refiner' or 'discriminator'), or of both."""
        refiner = self.refiner_objective.metric_names()
        discriminator = self.discriminator_objective.metric_names() + ACCURACY_METRICS
        return {None: refiner + discriminator, "refiner": refiner,
                "discriminator": discriminator}[player]

    # ---- per-replica computations ------------------------------------------------------------

    def _average(self, per_example: tf.Tensor) -> tf.Tensor:
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.global_batch)

    @staticmethod
    def _scaled(optimizer, loss: tf.Tensor) -> tf.Tensor:
        """``loss`` times the loss scale when the optimizer has one (float16); call it inside
        the tape so the scaling is differentiated; the optimizer unscales the gradients."""
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            return optimizer.scale_loss(loss)
        return loss

    def _weighted(self, objective: Objective, losses: dict) -> dict:
        """Per-term averages and their weighted sum, keyed by metric name."""
        values = {f"{objective.player}/{name}": self._average(loss)
                  for name, loss in losses.items()}
        values[f"{objective.player}/total"] = tf.add_n(
            [weight * values[f"{objective.player}/{name}"]
             for name, weight, _ in objective.terms])
        return values

    def _refiner_gradients_impl(self, synthetic: tf.Tensor, pretrain: bool):
        with tf.GradientTape() as tape:
            refined = tf.cast(self.refiner(synthetic, training=True), tf.float32)
            inputs = RefinerInputs(synthetic=tf.cast(synthetic, tf.float32), refined=refined,
                                   discriminator=lambda x: self.discriminator(x, training=False))
            # Refiner pretraining skips the adversarial terms (the paper's self-regularization
            # only); they are recorded as zero.
            losses = {name: (tf.zeros(tf.shape(refined)[:1]) if pretrain and term.adversarial
                             else term.refiner_loss(inputs))
                      for name, _, term in self.refiner_objective.terms}
            values = self._weighted(self.refiner_objective, losses)
            scaled = self._scaled(self.refiner_optimizer, values["refiner/total"])
        grads = tape.gradient(scaled, self.refiner.trainable_variables)
        return grads, values

    def _refiner_replica(self, synthetic: tf.Tensor, pretrain: bool):
        grads, values = self._refiner_gradients(synthetic, pretrain)
        self.refiner_optimizer.apply_gradients(zip(grads, self.refiner.trainable_variables))
        return values

    def _discriminator_gradients_impl(self, real: tf.Tensor, mixed: tf.Tensor):
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            refined_logits = self.discriminator(mixed, training=True)
            inputs = DiscriminatorInputs(
                real=tf.cast(real, tf.float32), refined=tf.cast(mixed, tf.float32),
                real_logits=real_logits, refined_logits=refined_logits,
                discriminator=lambda x: self.discriminator(x, training=True))
            losses = {name: term.discriminator_loss(inputs)
                      for name, _, term in self.discriminator_objective.terms}
            values = self._weighted(self.discriminator_objective, losses)
            scaled = self._scaled(self.discriminator_optimizer, values["discriminator/total"])
        grads = tape.gradient(scaled, self.discriminator.trainable_variables)
        values["discriminator/accuracy_real"] = self._average(patch_accuracy(real_logits, True))
        values["discriminator/accuracy_refined"] = self._average(
            patch_accuracy(refined_logits, False))
        return grads, values

    def _discriminator_replica(self, synthetic: tf.Tensor, real: tf.Tensor):
        mixed = self.buffer.sample_and_update(self._refine(synthetic))
        grads, values = self._discriminator_gradients(real, mixed)
        self.discriminator_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_variables))
        return values

    # ---- one step, and a sequence of steps in one call ------------------------------------------

    def _split(self, batch: tf.Tensor):
        """Distributes a global batch: replica i gets the i-th contiguous slice."""
        per_replica = self.global_batch // self.strategy.num_replicas_in_sync
        return self.strategy.experimental_distribute_values_from_function(
            lambda ctx: batch[ctx.replica_id_in_sync_group * per_replica:
                              (ctx.replica_id_in_sync_group + 1) * per_replica])

    def _refiner_step(self, pretrain: bool) -> tf.Tensor:
        synthetic = self._split(self.synthetic.next())
        values = self.strategy.run(self._refiner_replica, args=(synthetic, pretrain))
        return self._record(values, "refiner/total")

    def _discriminator_step(self) -> tf.Tensor:
        synthetic = self._split(self.synthetic.next())
        real = self._split(self.real.next())
        values = self.strategy.run(self._discriminator_replica, args=(synthetic, real))
        return self._record(values, "discriminator/total")

    def _record(self, per_replica: dict, total_key: str) -> tf.Tensor:
        """Sums replica values into the metric variables, flags the first non-finite or
        diverging step, and advances the step."""
        for name, value in per_replica.items():
            self.metrics[name].assign(
                self.strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None))
        total = self.metrics[total_key]
        healthy = tf.math.is_finite(total) & (tf.abs(total) <= self.max_loss)
        self.diverged_at.assign(tf.where((self.diverged_at < 0) & ~healthy,
                                         self.step, self.diverged_at))
        return self.step.assign_add(1)

    def _run(self, phase_ids: tf.Tensor) -> tf.Tensor:
        branches = [lambda: self._refiner_step(pretrain=True),
                    lambda: self._refiner_step(pretrain=False),
                    self._discriminator_step, self._discriminator_step]
        for phase_id in phase_ids:
            tf.switch_case(phase_id, branches)
        return self.step.read_value()

    def values(self) -> dict[str, float]:
        """The last recorded value of every loss and accuracy."""
        return {name: float(v.numpy()) for name, v in self.metrics.items()}
