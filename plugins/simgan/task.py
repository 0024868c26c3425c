"""S+U learning (Shrivastava et al. 2017, Algorithm 1) as a task of the engine.

Phases: refiner pretraining (self-regularization only), discriminator pretraining, then
``iterations`` rounds of Kg refiner steps and Kd discriminator steps. A refiner step minimises
its objective on a synthetic batch (with its labels and a real batch at hand, for terms that need
them); a discriminator step refines a synthetic batch, mixes it with the history buffer (Sec.
2.3) and minimises its objective on that and a real batch. Configured as ``simgan.*``; the paper's
values are in configs/simgan/eyes_paper.gin.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import tensorflow as tf

from simgan.core import losses, seeds
from simgan.core.engine.health import Signals
from simgan.core.engine.task import BuildContext, Phase, Stage, Task
from simgan.core.registries import (AUGMENTS, BUFFERS, DISCRIMINATORS, GENERATORS, TASKS)
from simgan.plugins import heldout
from simgan.plugins.simgan import averaging, gate, schedule as schedule_lib
from simgan.plugins.simgan.logits import patch_accuracy, real_log_odds

ACCURACY_METRICS = ("discriminator/accuracy_real", "discriminator/accuracy_refined")
GATE_METRIC = "discriminator/updated"  # 1 when the gated discriminator step applied its update


@TASKS.register("simgan")
@dataclasses.dataclass
class SimGANTask(Task):
    """S+U: a refiner against a local discriminator with a history buffer. Defaults are the
    paper's eye-gaze settings where it gives them (Sec. 3 and appendix).

    ``augment``: a registered augmentation (AUGMENTS, e.g. the stabilizers plugin's
    'diffaugment' or 'ada') of everything the discriminator sees, real, refined and history
    images alike and the refined images of the refiner's adversarial terms (DiffAugment, Zhao et
    al. 2020); one that adapts its strength gets the real images' log-odds after each
    discriminator step (ADA, Karras et al. 2020). None (the paper) augments nothing.
    ``discriminator_gate``: skip the discriminator's update in a step where its accuracy on
    both the real and the refined batch is above this fraction (gate.py; logged as
    ``discriminator/updated``); None (the paper) always updates.
    ``refiner_ema_decay``: preview, evaluate and export an exponential moving average of the
    refiner's weights with this decay per refiner step (averaging.py; Karras et al. 2018,
    Yazıcı et al. 2019), started when the game starts: pretraining copies the weights. The
    game itself (history buffer, refiner terms) uses the trained refiner. None (the paper)
    exports the trained refiner.
    ``heldout_real_examples``: that many real images the discriminator never trains on, from
    the run's real dataset built again under gin scope ``heldout_real_scope`` (nested in 'real'
    by default, so it inherits the real dataset's bindings: set the held-out split or path
    there) with its own seed. At each summary step the discriminator, without augmentation,
    scores them and their accuracy is logged as ``discriminator/accuracy_heldout_real``, the
    overfitting signal (plugins/heldout.py). 0 (the paper) logs nothing."""

    refiner: str = "resnet"
    discriminator: str = "local"
    refiner_objective: Sequence[str] = ("local_adversarial", "self_regularization")
    discriminator_objective: Sequence[str] = ("local_adversarial",)
    buffer: str = "history"
    refiner_optimizer: str = "sgd"
    discriminator_optimizer: str = "sgd"
    refiner_pretrain_steps: int = 1000
    discriminator_pretrain_steps: int = 200
    iterations: int = 10000
    refiner_steps_per_iteration: int = 2
    discriminator_steps_per_iteration: int = 1
    augment: str | None = None
    discriminator_gate: float | None = None
    refiner_ema_decay: float | None = None
    heldout_real_examples: int = 0
    heldout_real_scope: str = "real/heldout"

    # A resume may lengthen or shorten the adversarial schedule (io/provenance.py).
    resumable_bindings = ("simgan.iterations",)

    def __post_init__(self):
        if self.heldout_real_examples < 0:
            raise ValueError("simgan.heldout_real_examples: expected 0 (off) or a number of "
                             f"images, got {self.heldout_real_examples!r}")
        if self.discriminator_gate is not None and not 0.0 < self.discriminator_gate <= 1.0:
            raise ValueError(f"simgan.discriminator_gate: expected None or an accuracy in (0, 1],"
                             f" got {self.discriminator_gate!r}")
        self.plan = schedule_lib.Schedule(
            self.refiner_pretrain_steps, self.discriminator_pretrain_steps, self.iterations,
            self.refiner_steps_per_iteration, self.discriminator_steps_per_iteration)
        self.refiner_terms = losses.build(losses.REFINER, self.refiner_objective,
                                          "simgan.refiner_objective")
        self.discriminator_terms = losses.build(losses.DISCRIMINATOR,
                                                self.discriminator_objective,
                                                "simgan.discriminator_objective")

    # ---- the Task protocol -------------------------------------------------------------------

    def build(self, context: BuildContext) -> None:
        self.context = context
        self.trained_refiner = GENERATORS.build(self.refiner, input_shape=context.image_shape)
        self.critic = DISCRIMINATORS.build(self.discriminator, input_shape=context.image_shape)
        self.average = None if self.refiner_ema_decay is None else averaging.AveragedModel(
            self.trained_refiner, self.refiner_ema_decay, "simgan.refiner_ema_decay")
        # What the engine previews, evaluates and exports (the Task protocol).
        self.generator = self.trained_refiner if self.average is None else self.average.model
        # A refiner term with weights of its own (PatchNCE's heads, plugins/cut) has
        # build(generator): they train with the refiner and are checkpointed with the task.
        self.term_modules, self.refiner_variables = losses.build_for(self.refiner_terms,
                                                                     self.trained_refiner)
        self.generator_optimizer = context.optimizer("refiner", self.refiner_optimizer,
                                                     self.refiner_variables)
        self.critic_optimizer = context.optimizer("discriminator", self.discriminator_optimizer,
                                                  self.critic.trainable_variables)
        self.history = BUFFERS.build(self.buffer, image_shape=context.image_shape,
                                     batch_size=context.replica_batch,
                                     seed=seeds.stream(context.seed, "buffer"))
        self.augmenter = AUGMENTS.build(self.augment) if self.augment else None
        if self.augmenter is not None:
            self.augment_draws = tf.Variable(  # one per discriminator step, for the seeds
                tf.constant(0, tf.int64), trainable=False, name="augment_draws",
                aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self._refiner_gradients = context.compile(self._refiner_gradients_impl)
        # Called without `training`, so a refiner with noise channels draws its noise here too.
        self._refine = context.compile(lambda x: tf.cast(self.trained_refiner(x), tf.float32))
        self._discriminator_gradients = context.compile(self._discriminator_gradients_impl)
        self.heldout = heldout.HeldoutReal(
            context, self.heldout_real_scope, self.heldout_real_examples,
            "simgan.heldout_real_scope",
            lambda x: patch_accuracy(self.critic(x, training=False), True))
        self.datasets = self.heldout.datasets

    def phases(self) -> tuple[Phase, ...]:
        pretrain = self.refiner_terms.metric_names(adversarial=False)
        critic = self.discriminator_terms.metric_names() + ACCURACY_METRICS + (
            (GATE_METRIC,) if self.discriminator_gate is not None else ())
        # A refiner step reads a real batch only for terms that use one.
        refiner_inputs = ("synthetic", "real") if any(
            term.needs_real for _, term in self.refiner_terms.terms) else ("synthetic",)
        return (
            Phase(schedule_lib.REFINER_PRETRAIN, refiner_inputs, pretrain,
                  lambda batches: self._refiner_step(batches, pretrain=True)),
            Phase(schedule_lib.REFINER, refiner_inputs, self.refiner_terms.metric_names(),
                  lambda batches: self._refiner_step(batches, pretrain=False)),
            Phase(schedule_lib.DISCRIMINATOR_PRETRAIN, ("synthetic", "real"), critic,
                  self._discriminator_step),
            Phase(schedule_lib.DISCRIMINATOR, ("synthetic", "real"), critic,
                  self._discriminator_step),
        )

    def total_steps(self) -> int:
        return self.plan.total

    def phase_at(self, step: int) -> str:
        return self.plan.phase(step)

    def stages(self) -> tuple[Stage, ...]:
        adversarial = (self.refiner_terms.metric_names()
                       + (f"{losses.DISCRIMINATOR}/total",))
        bounds = [("pretrain R", self.plan.refiner_pretrain,
                   self.refiner_terms.metric_names(adversarial=False)),
                  ("pretrain D", self.plan.discriminator_pretrain,
                   self.discriminator_terms.metric_names() + ACCURACY_METRICS),
                  ("adversarial", self.plan.iterations * (self.plan.kg + self.plan.kd),
                   adversarial)]
        result, start = [], 0
        for title, length, metrics in bounds:
            if length:
                result.append(Stage(title, start, start + length, metrics))
            start += length
        return tuple(result)

    def trackables(self) -> dict:
        # The names are the checkpoint's keys (unchanged since 0.1).
        return {"refiner": self.trained_refiner, "discriminator": self.critic,
                "refiner_optimizer": self.generator_optimizer,
                "discriminator_optimizer": self.critic_optimizer, "buffer": self.history,
                **self.term_modules,
                **({"refiner_average": self.average.model} if self.average is not None else {}),
                **({"augment": self.augmenter, "augment_draws": self.augment_draws}
                   if self.augmenter is not None else {})}

    def optimizers(self) -> dict:
        return {"refiner": self.generator_optimizer, "discriminator": self.critic_optimizer}

    def summary_scalars(self) -> dict[str, float]:
        """The discriminator's accuracy on the held-out real images, if there are any."""
        return self.heldout.scalars()

    def health_signals(self) -> Signals:
        return Signals(*ACCURACY_METRICS, adversarial=self.refiner_terms.term_metrics(True),
                       content=self.refiner_terms.term_metrics(False))

    # ---- per-replica computations ------------------------------------------------------------

    def _average(self, per_example: tf.Tensor) -> tf.Tensor:
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.context.global_batch)

    def _augmented(self, images: tf.Tensor, stream: int) -> tf.Tensor:
        """``images`` through the augmentation (if any), with a seed of the run, the draw
        count, the stream (real, history, refiner) and the replica."""
        if self.augmenter is None:
            return images
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        seed = tf.stack([tf.constant(self.context.seed, tf.int64), self.augment_draws])
        for salt in (stream, replica):
            seed = tf.random.experimental.stateless_fold_in(seed, salt)
        return self.augmenter(images, seed)

    def _refiner_gradients_impl(self, synthetic: dict, real: dict | None, pretrain: bool):
        images = synthetic["image"]
        with tf.GradientTape() as tape:
            refined = tf.cast(self.trained_refiner(images, training=True), tf.float32)
            inputs = losses.RefinerInputs(
                synthetic=tf.cast(images, tf.float32), refined=refined,
                discriminator=lambda x: self.critic(self._augmented(x, 2), training=False),
                labels={k: v for k, v in synthetic.items() if k != "image"},
                real=None if real is None else tf.cast(real["image"], tf.float32),
                refiner=self.trained_refiner)
            # Refiner pretraining trains self-regularization only (the paper's Sec. 3.1).
            per_example = {name: term.refiner_loss(inputs)
                           for name, term in self.refiner_terms.terms
                           if not (pretrain and term.adversarial)}
            values = self.refiner_terms.values(per_example, self._average)
            scaled = self.generator_optimizer.scale_loss(values["refiner/total"])
        return tape.gradient(scaled, self.refiner_variables), values

    def _refiner_step(self, batches: dict, pretrain: bool) -> dict:
        grads, values = self._refiner_gradients(batches["synthetic"], batches.get("real"),
                                                pretrain)
        self.generator_optimizer.apply_gradients(zip(grads, self.refiner_variables))
        if self.average is not None:
            self.average.update(restart=pretrain)
        return values

    def _discriminator_gradients_impl(self, real: tf.Tensor, mixed: tf.Tensor):
        with tf.GradientTape() as tape:
            real_logits = self.critic(real, training=True)
            refined_logits = self.critic(mixed, training=True)
            inputs = losses.DiscriminatorInputs(
                real=tf.cast(real, tf.float32), refined=tf.cast(mixed, tf.float32),
                real_logits=real_logits, refined_logits=refined_logits,
                discriminator=lambda x: self.critic(x, training=True))
            per_example = {name: term.discriminator_loss(inputs)
                           for name, term in self.discriminator_terms.terms}
            values = self.discriminator_terms.values(per_example, self._average)
            scaled = self.critic_optimizer.scale_loss(values["discriminator/total"])
        grads = tape.gradient(scaled, self.critic.trainable_variables)
        values["discriminator/accuracy_real"] = self._average(patch_accuracy(real_logits, True))
        values["discriminator/accuracy_refined"] = self._average(
            patch_accuracy(refined_logits, False))
        return grads, values, real_logits

    def _discriminator_step(self, batches: dict) -> dict:
        mixed = self.history.sample_and_update(self._refine(batches["synthetic"]["image"]))
        real = batches["real"]["image"]
        if self.augmenter is not None:
            real, mixed = self._augmented(real, 0), self._augmented(mixed, 1)
        grads, values, real_logits = self._discriminator_gradients(real, mixed)
        if self.discriminator_gate is None:
            self.critic_optimizer.apply_gradients(zip(grads, self.critic.trainable_variables))
        else:
            # This step's accuracies over the global batch, so every replica takes one branch.
            context = tf.distribute.get_replica_context()
            accuracy_real, accuracy_refined = (
                context.all_reduce(tf.distribute.ReduceOp.SUM, values[m])
                for m in ACCURACY_METRICS)
            update = ~gate.discriminator_wins(accuracy_real, accuracy_refined,
                                              self.discriminator_gate)

            def apply():
                self.critic_optimizer.apply_gradients(
                    zip(grads, self.critic.trainable_variables))
                return tf.constant(1.0)

            applied = tf.cond(update, apply, lambda: tf.constant(0.0))
            values[GATE_METRIC] = applied / context.num_replicas_in_sync
        if self.augmenter is not None:
            if hasattr(self.augmenter, "update"):
                self.augmenter.update(real_log_odds(real_logits))
            self.augment_draws.assign_add(1)
        return values

