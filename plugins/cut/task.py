"""CUT (Park, Efros, Zhang & Zhu, "Contrastive Learning for Unpaired Image-to-Image
Translation", ECCV 2020) as a task of the engine.

Each iteration is one discriminator step then one generator step (the order of the authors'
code), with no history buffer and no pretraining. The generator minimises the LSGAN loss plus
lambda_X PatchNCE(x, G(x)) plus lambda_Y PatchNCE(y, G(y)) (plugins/cut/patchnce.py); the
discriminator the LSGAN loss on real and generated images; both with Adam (2e-4, betas 0.5 and
0.999; paper, Sec. 4). FastCUT is a setting: configs/cut/fastcut.gin. Configured as ``cut.*``;
the terms and optimizers under the players' gin scopes ``refiner`` and ``discriminator``, as in
every task. Components come from the registries by name only.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import keras
import tensorflow as tf

from simgan.core import losses
from simgan.core.engine.health import Signals
from simgan.core.engine.task import BuildContext, Phase, Stage, Task
from simgan.core.registries import DISCRIMINATORS, GENERATORS, TASKS
from simgan.plugins import heldout

GENERATOR_PHASE, DISCRIMINATOR_PHASE = "generator", "discriminator"
ACCURACY_METRICS = ("discriminator/accuracy_real", "discriminator/accuracy_refined")


def patch_accuracy(term: losses.AdversarialTerm, logits: tf.Tensor, is_real: bool) -> tf.Tensor:
    """Per-image fraction of patches classified correctly, ``[B]``, read through the adversarial
    loss itself: a patch counts as classified real when ``term``'s loss for the target 'real' is
    below its loss for 'generated'. So any logit layout a registered adversarial loss reads (two
    classes, one log-odds) is scored without this task knowing it."""
    shape = tf.shape(logits)
    patches = tf.reshape(logits, [-1, 1, 1, shape[-1]])
    says_real = term(patches, True) < term(patches, False)
    correct = tf.cast(says_real if is_real else ~says_real, tf.float32)
    return tf.reduce_mean(tf.reshape(correct, [shape[0], -1]), axis=1)


@TASKS.register("cut")
@dataclasses.dataclass
class CUTTask(Task):
    """CUT: a generator against a patch discriminator with PatchNCE and its identity term.

    Defaults are the paper's where it gives them: the LSGAN loss, lambda_X = lambda_Y = 1 (the
    terms' weights), Adam (the `adam` optimizer's defaults are 2e-4, 0.5, 0.999). Ours: the
    networks are the registry's `resnet` and `local` (the paper: a 9-block ResNet
    encoder-decoder and a 70x70 PatchGAN), and ``iterations`` (the paper: 400 epochs at batch 1).
    ``heldout_real_examples``: as S+U's (``simgan.heldout_real_examples``, docs/TRAINING.md),
    the discriminator's accuracy on that many real images it never trains on, the run's real
    dataset built again under gin scope ``heldout_real_scope``, logged at each summary step as
    ``discriminator/accuracy_heldout_real``, the overfitting signal; 0 (the paper) logs nothing.
    """

    generator_network: str = "resnet"
    discriminator_network: str = "local"
    generator_objective: Sequence[str] = ("least_squares_adversarial", "patchnce", "cut_identity")
    discriminator_objective: Sequence[str] = ("least_squares_adversarial",)
    generator_optimizer: str = "adam"
    discriminator_optimizer: str = "adam"
    iterations: int = 10000
    heldout_real_examples: int = 0
    heldout_real_scope: str = "real/heldout"

    def __post_init__(self):
        for name in ("iterations", "heldout_real_examples"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ValueError(f"cut.{name}: expected an integer >= 0, got "
                                 f"{getattr(self, name)!r}")
        self.generator_terms = losses.build(losses.REFINER, self.generator_objective,
                                            "cut.generator_objective")
        self.discriminator_terms = losses.build(losses.DISCRIMINATOR,
                                                self.discriminator_objective,
                                                "cut.discriminator_objective")
        adversarial = [t for _, t in self.discriminator_terms.terms
                       if isinstance(t, losses.AdversarialTerm)]
        if not adversarial:
            raise ValueError("cut.discriminator_objective: needs an adversarial term such as "
                             "'least_squares_adversarial' (its loss also scores the accuracy)")
        self.accuracy_term = adversarial[0]

    # ---- the Task protocol -------------------------------------------------------------------

    def build(self, context: BuildContext) -> None:
        self.context = context
        self.generator = GENERATORS.build(self.generator_network, input_shape=context.image_shape)
        self.critic = DISCRIMINATORS.build(self.discriminator_network,
                                           input_shape=context.image_shape)
        self.term_modules, self.generator_variables = losses.build_for(self.generator_terms,
                                                                       self.generator)
        self.optimizer_g = context.optimizer(losses.REFINER, self.generator_optimizer,
                                             self.generator_variables)
        self.optimizer_d = context.optimizer(losses.DISCRIMINATOR, self.discriminator_optimizer,
                                             self.critic.trainable_variables)
        self._generator_gradients = context.compile(self._generator_gradients_impl)
        self._discriminator_gradients = context.compile(self._discriminator_gradients_impl)
        self.heldout = heldout.HeldoutReal(
            context, self.heldout_real_scope, self.heldout_real_examples, "cut.heldout_real_scope",
            lambda x: patch_accuracy(self.accuracy_term, self.critic(x, training=False), True))
        self.datasets = self.heldout.datasets

    def phases(self) -> tuple[Phase, ...]:
        generator_inputs = ("synthetic", "real") if any(
            term.needs_real for _, term in self.generator_terms.terms) else ("synthetic",)
        return (
            Phase(DISCRIMINATOR_PHASE, ("synthetic", "real"),
                  self.discriminator_terms.metric_names() + ACCURACY_METRICS,
                  self._discriminator_step),
            Phase(GENERATOR_PHASE, generator_inputs, self.generator_terms.metric_names(),
                  self._generator_step),
        )

    def total_steps(self) -> int:
        return 2 * self.iterations

    def phase_at(self, step: int) -> str:
        if not 0 <= step < self.total_steps():
            raise IndexError(f"step {step} outside the schedule of {self.total_steps()} steps")
        return DISCRIMINATOR_PHASE if step % 2 == 0 else GENERATOR_PHASE

    def stages(self) -> tuple[Stage, ...]:
        if not self.iterations:
            return ()
        metrics = self.generator_terms.metric_names() + (f"{losses.DISCRIMINATOR}/total",)
        return (Stage("CUT", 0, self.total_steps(), metrics),)

    def trackables(self) -> dict:
        return {"generator": self.generator, "discriminator": self.critic,
                "generator_optimizer": self.optimizer_g,
                "discriminator_optimizer": self.optimizer_d, **self.term_modules}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {losses.REFINER: self.optimizer_g, losses.DISCRIMINATOR: self.optimizer_d}

    def summary_scalars(self) -> dict[str, float]:
        """The discriminator's accuracy on the held-out real images, if there are any."""
        return self.heldout.scalars()

    def health_signals(self) -> Signals:
        return Signals(*ACCURACY_METRICS, adversarial=self.generator_terms.term_metrics(True),
                       content=self.generator_terms.term_metrics(False))

    # ---- per-replica computations ------------------------------------------------------------

    def _average(self, per_example: tf.Tensor) -> tf.Tensor:
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.context.global_batch)

    def _generator_gradients_impl(self, synthetic: dict, real: dict | None):
        images = tf.cast(synthetic["image"], tf.float32)
        with tf.GradientTape() as tape:
            inputs = losses.RefinerInputs(
                synthetic=images, refined=tf.cast(self.generator(images, training=True),
                                                  tf.float32),
                discriminator=lambda x: self.critic(x, training=False),
                labels={k: v for k, v in synthetic.items() if k != "image"},
                real=None if real is None else tf.cast(real["image"], tf.float32),
                refiner=self.generator)
            values = self.generator_terms.values(
                {name: term.refiner_loss(inputs) for name, term in self.generator_terms.terms},
                self._average)
            scaled = self.optimizer_g.scale_loss(values[f"{losses.REFINER}/total"])
        return tape.gradient(scaled, self.generator_variables), values

    def _generator_step(self, batches: dict) -> dict:
        grads, values = self._generator_gradients(batches["synthetic"], batches.get("real"))
        self.optimizer_g.apply_gradients(zip(grads, self.generator_variables))
        return values

    def _discriminator_gradients_impl(self, synthetic: tf.Tensor, real: tf.Tensor):
        generated = tf.cast(self.generator(synthetic, training=True), tf.float32)
        real = tf.cast(real, tf.float32)
        with tf.GradientTape() as tape:
            inputs = losses.DiscriminatorInputs(
                real=real, refined=generated, real_logits=self.critic(real, training=True),
                refined_logits=self.critic(generated, training=True),
                discriminator=lambda x: self.critic(x, training=True))
            values = self.discriminator_terms.values(
                {name: term.discriminator_loss(inputs)
                 for name, term in self.discriminator_terms.terms}, self._average)
            scaled = self.optimizer_d.scale_loss(values[f"{losses.DISCRIMINATOR}/total"])
        grads = tape.gradient(scaled, self.critic.trainable_variables)
        for metric, logits, is_real in ((ACCURACY_METRICS[0], inputs.real_logits, True),
                                        (ACCURACY_METRICS[1], inputs.refined_logits, False)):
            values[metric] = self._average(patch_accuracy(self.accuracy_term, logits, is_real))
        return grads, values

    def _discriminator_step(self, batches: dict) -> dict:
        grads, values = self._discriminator_gradients(batches["synthetic"]["image"],
                                                      batches["real"]["image"])
        self.optimizer_d.apply_gradients(zip(grads, self.critic.trainable_variables))
        return values
