"""The S+U training loop (Shrivastava et al. 2017, Algorithm 1), knowing GANs, not eyes.

Components come from the registries by name; the steps run as compiled calls of
`steps.TrainingSteps`. The host loop only picks the step kinds from the schedule, and writes
summaries, checkpoints and evaluations at their intervals.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Sequence

import gin
import keras
import tensorflow as tf
from absl import logging

from simgan.core import (data, evaluation, exported, files, objectives, pool, progress,
                         registry, schedule, speed, staging, strategies)
from simgan.core import steps as steps_lib
from simgan.core.checkpoint import Checkpointer
from simgan.core.files import atomic_write_text
from simgan.core.registries import BUFFERS, DISCRIMINATORS, EVALUATORS, OPTIMIZERS, REFINERS
from simgan.core.steps import TrainingSteps
from simgan.core.summaries import Summaries

EVALUATION_FILE = "evaluation.json"
OPERATIVE_CONFIG = "operative_config.gin"  # the values the run used
FULL_CONFIG = "config.gin"  # every binding parsed, incl. those only evaluators read


class TrainingDivergedError(RuntimeError):
    """A loss became NaN/inf or exceeded the divergence bound."""


@registry.configurable("train")
@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """What to train and how long. Defaults are the paper's eye-gaze settings where it gives
    them (Shrivastava et al. 2017, Sec. 3 and appendix); see configs/simgan/eyes_paper.gin."""

    synthetic_dataset: str = "eye_simulator"
    real_dataset: str = "eye_simulator"
    refiner: str = "resnet"
    discriminator: str = "local"
    # Each objective: (registered loss term, weight) pairs; the paper's refiner objective is
    # adversarial + lambda * self-regularization (core/objectives.py, docs/PLUGINS.md).
    refiner_objective: Sequence[tuple[str, float]] = (("local_adversarial", 1.0),
                                                      ("self_regularization", 1.0))
    discriminator_objective: Sequence[tuple[str, float]] = (("local_adversarial", 1.0),)
    # Deprecated single-slot bindings; each edits the objectives above (objectives.resolve).
    adversarial_loss: str | None = None
    self_regularization: str | None = None
    self_regularization_weight: float | None = None
    buffer: str = "history"
    refiner_optimizer: str = "sgd"
    discriminator_optimizer: str = "sgd"
    batch_size: int = 512
    refiner_pretrain_steps: int = 1000
    discriminator_pretrain_steps: int = 200
    iterations: int = 10000
    refiner_steps_per_iteration: int = 2
    discriminator_steps_per_iteration: int = 1
    evaluators: Sequence[str] = ()
    # Intervals in steps; 0 turns one off (the end of training still saves a checkpoint and
    # runs the evaluators).
    eval_every: int = 0
    summary_every: int = 50
    image_every: int = 500
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    preview_images: int = 8
    max_loss: float = 1e6
    # Speed options (docs/PERFORMANCE.md). None picks the fastest correct choice per device:
    # XLA on GPUs only; bfloat16 mixed precision on GPUs of compute capability >= 8, else float32;
    # batches staged on the device with one GPU (core/staging.py).
    jit_compile: bool | None = None
    mixed_precision: str | None = None
    steps_per_call: int = 10
    prefetch_to_device: bool | None = None

    def schedule(self) -> schedule.Schedule:
        return schedule.Schedule(self.refiner_pretrain_steps, self.discriminator_pretrain_steps,
                                 self.iterations, self.refiner_steps_per_iteration,
                                 self.discriminator_steps_per_iteration)


class Trainer:
    """Builds the components of a run from ``config`` and trains them in ``model_dir``."""

    def __init__(self, config: TrainConfig, model_dir: str, seed: int,
                 strategy: tf.distribute.Strategy | None = None, show_progress: bool = False):
        self.config = config
        self.show_progress = show_progress
        self.model_dir = model_dir
        self.seed = seed
        self.strategy = strategy or tf.distribute.get_strategy()
        # Only the chief writes the model dir; other workers write to a scratch folder.
        self.is_chief, task = strategies.chief_and_task(self.strategy)
        self.output_dir = model_dir if self.is_chief else files.join(model_dir, f".worker_{task}")
        self.schedule = config.schedule()
        replicas = self.strategy.num_replicas_in_sync
        if config.batch_size % replicas or (config.batch_size // replicas) < 2:
            raise ValueError(f"train.batch_size: {config.batch_size} must be a multiple of the "
                             f"{replicas} replicas with at least 2 images per replica")
        self.global_batch = config.batch_size

        synthetic = data.build(config.synthetic_dataset, "synthetic", seed)
        real = data.build(config.real_dataset, "real", seed + 1)
        self.image_shape = self._common_shape(synthetic, real)
        self.previews = self._previews(synthetic, real)
        self.synthetic_batches = self._batches(synthetic, seed)
        self.real_batches = self._batches(real, seed + 1)

        refiner_spec, discriminator_spec = objectives.resolve(
            config.refiner_objective, config.discriminator_objective, config.adversarial_loss,
            config.self_regularization, config.self_regularization_weight)
        self.refiner_objective = objectives.build(objectives.REFINER, refiner_spec,
                                                  "train.refiner_objective")
        self.discriminator_objective = objectives.build(
            objectives.DISCRIMINATOR, discriminator_spec, "train.discriminator_objective")
        self.precision = speed.resolve_precision(config.mixed_precision)
        with self.strategy.scope(), speed.dtype_policy(self.precision):
            self.refiner = REFINERS.build(config.refiner, input_shape=self.image_shape)
            self.discriminator = DISCRIMINATORS.build(config.discriminator,
                                                      input_shape=self.image_shape)
            self.refiner_optimizer = self._optimizer("refiner", config.refiner_optimizer,
                                                     self.refiner)
            self.discriminator_optimizer = self._optimizer(
                "discriminator", config.discriminator_optimizer, self.discriminator)
            self.buffer = BUFFERS.build(config.buffer, image_shape=self.image_shape,
                                        batch_size=self.global_batch // replicas, seed=seed)
        self.training = TrainingSteps(
            strategy=self.strategy, refiner=self.refiner, discriminator=self.discriminator,
            refiner_optimizer=self.refiner_optimizer,
            discriminator_optimizer=self.discriminator_optimizer, buffer=self.buffer,
            refiner_objective=self.refiner_objective,
            discriminator_objective=self.discriminator_objective,
            global_batch=self.global_batch, synthetic=self.synthetic_batches,
            real=self.real_batches, max_loss=config.max_loss,
            jit_compile=speed.resolve_jit(config.jit_compile))
        self.step, self.diverged_at = self.training.step, self.training.diverged_at
        self.evaluators = {name: EVALUATORS.build(name, seed=seed,
                                                  output_dir=files.join(model_dir, "eval", name))
                           for name in config.evaluators} if self.is_chief else {}
        self.checkpointer = Checkpointer(
            model_dir, self.output_dir, max_to_keep=config.keep_checkpoints, refiner=self.refiner,
            discriminator=self.discriminator, refiner_optimizer=self.refiner_optimizer,
            discriminator_optimizer=self.discriminator_optimizer, buffer=self.buffer,
            step=self.step, diverged_at=self.diverged_at,
            **self.synthetic_batches.trackables("synthetic_data"),
            **self.real_batches.trackables("real_data"))
        logging.info("Precision %s, XLA %s, up to %d steps per call, batches staged on the "
                     "device: %s", self.precision, speed.resolve_jit(config.jit_compile),
                     config.steps_per_call, isinstance(self.synthetic_batches, staging.DeviceStage))

    def _batches(self, dataset: tf.data.Dataset,
                 seed: int) -> staging.HostBatches | pool.PoolBatches:
        """The batch source of one pipeline: a device-resident pool when the dataset is one
        (core/pool.py), else its host iterator, staged on the device when
        ``train.prefetch_to_device`` asks for it (single-device strategies only). Plain
        iterators (not distributed ones) because their position is checkpointable; each
        global batch is split across the replicas inside the step function."""
        source = pool.pooled(dataset)
        if source is not None:
            return pool.PoolBatches(source, self.global_batch, seed, self.strategy)
        dataset = data.batched(dataset.map(lambda e: e[data.IMAGE_KEY]), self.global_batch, seed)
        iterator = iter(dataset)
        if not speed.resolve_prefetch(self.config.prefetch_to_device, self.strategy):
            return staging.HostBatches(iterator)
        if self.strategy.num_replicas_in_sync > 1:
            raise ValueError("train.prefetch_to_device: supported with one replica only; the "
                             f"strategy has {self.strategy.num_replicas_in_sync}")
        device = self.strategy.extended.worker_devices[0]
        return staging.DeviceStage(iterator, dataset.element_spec, device)

    def _optimizer(self, scope: str, name: str, model: keras.Model) -> keras.optimizers.Optimizer:
        """Builds a registered optimizer under gin scope ``scope``, with loss scaling for
        float16, and creates its variables now so a checkpoint can restore them."""
        with gin.config_scope(scope):
            optimizer = OPTIMIZERS.build(name)
        if self.precision == "mixed_float16":
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(model.trainable_variables)
        return optimizer

    def run_steps(self, phases: Sequence[str]) -> int:
        """Runs the given steps in one compiled call; returns the new global step."""
        ids = tf.constant([steps_lib.PHASE_IDS[p] for p in phases], tf.int32)
        return int(self.training.run(ids))

    @staticmethod
    def _common_shape(synthetic: tf.data.Dataset, real: tf.data.Dataset) -> tuple[int, int, int]:
        shapes = [tuple(ds.element_spec[data.IMAGE_KEY].shape) for ds in (synthetic, real)]
        if shapes[0] != shapes[1] or None in shapes[0]:
            raise data.DatasetContractError(
                f"train: synthetic images {shapes[0]} and real images {shapes[1]} must have the "
                "same fully defined [H, W, C]; set the datasets' height/width")
        return shapes[0]

    def _previews(self, synthetic: tf.data.Dataset, real: tf.data.Dataset) -> tuple[tf.Tensor, tf.Tensor]:
        """A fixed batch of synthetic and real images for the image grids."""
        n = self.config.preview_images
        return tuple(tf.constant(data.first(ds, n)[data.IMAGE_KEY]) for ds in (synthetic, real))

    # ---- host loop --------------------------------------------------------------------------

    def train(self) -> dict[str, float]:
        """Runs (or resumes) the schedule to the end; returns the final evaluation results."""
        self.checkpointer.restore_latest()
        self._check_divergence("restored checkpoint")
        self.synthetic_batches.prime()
        self.real_batches.prime()
        tf.io.gfile.makedirs(self.output_dir)
        self._write_configs()
        summaries = Summaries(self.output_dir)
        total, start = self.schedule.total, int(self.step.numpy())
        if start:
            logging.info("Resuming at step %d of %d", start, total)
            if self.show_progress:
                print(f"Resuming at step {start} of {total}")
        if start == 0 and self.config.image_every:
            self._grid(summaries, 0)
        bar = progress.StageProgress(self.schedule, self._stage_metrics(), start,
                                     enabled=self.show_progress and self.is_chief)
        clock, clock_step, done = time.time(), start, start
        while done < total:
            count = self._steps_until_boundary(done)
            phase = self.schedule.phase(done + count - 1)
            done = self.run_steps([self.schedule.phase(s) for s in range(done, done + count)])
            last = self.training.values()
            bar.update(done, last)
            if _due(self.config.summary_every, done, total):
                self._check_divergence(f"step {done}")
                rate = (done - clock_step) / max(time.time() - clock, 1e-9)
                scalars = dict(last)
                scalars.update(self._learning_rates())
                scalars["steps_per_second"] = rate
                summaries.scalars(done, scalars)
                logging.info("step %d/%d [%s] %s | %.2f steps/s, %s left", done, total, phase,
                             " ".join(f"{k}={v:.4g}" for k, v in sorted(last.items())), rate,
                             _duration((total - done) / max(rate, 1e-9)))
                clock, clock_step = time.time(), done
            if _due(self.config.image_every, done, total):
                self._grid(summaries, done)
            if _due(self.config.checkpoint_every, done, total) or done == total:
                self._check_divergence(f"step {done}")
                self.checkpointer.save(done)
            if self.config.eval_every and done % self.config.eval_every == 0 and done != total:
                self.evaluate(done, summaries)
        self.export()
        results = self.evaluate(total, summaries) if self.evaluators else {}
        if not self.is_chief:
            tf.io.gfile.rmtree(self.output_dir)
        return results

    def _stage_metrics(self) -> dict[str, tuple[str, ...]]:
        """The metrics each stage's progress bar shows: what that stage trains."""
        refiner = [f"refiner/{name}" for name, _, term in self.refiner_objective.terms
                   if not term.adversarial] + ["refiner/total"]
        return {"pretrain R": tuple(refiner),
                "pretrain D": self.training.metric_names("discriminator"),
                "adversarial": self.refiner_objective.metric_names() + ("discriminator/total",)}

    def output_paths(self) -> dict[str, str]:
        """Where a finished run's outputs are, for the end-of-run report."""
        return {"grids": files.join(self.model_dir, "grids"),
                "refiner": files.join(self.model_dir, exported.EXPORT_PATH),
                "evaluation": files.join(self.model_dir, EVALUATION_FILE),
                "TensorBoard": f"tensorboard --logdir={self.model_dir}"}

    def _steps_until_boundary(self, step: int) -> int:
        """How many steps from ``step`` can run in one call: up to ``steps_per_call``, stopping
        at the next summary, image, checkpoint or evaluation step, or the end."""
        c = self.config
        limit = min(c.steps_per_call, self.schedule.total - step)
        for every in (c.summary_every, c.image_every, c.checkpoint_every, c.eval_every):
            if every:
                limit = min(limit, every - step % every)
        return max(limit, 1)

    def _check_divergence(self, where: str) -> None:
        bad = int(self.diverged_at.numpy())
        if bad >= 0:
            latest = self.checkpointer.latest() or "none yet"
            raise TrainingDivergedError(
                f"Training diverged: a loss became NaN/inf or exceeded train.max_loss="
                f"{self.config.max_loss:g} at step {bad + 1} (detected at {where}). "
                f"Stopped without saving; the last good checkpoint is kept: {latest}")

    def _learning_rates(self) -> dict[str, float]:
        return {f"{name}/learning_rate": float(keras.ops.convert_to_numpy(opt.learning_rate))
                for name, opt in (("refiner", self.refiner_optimizer),
                                  ("discriminator", self.discriminator_optimizer))}

    def _grid(self, summaries: Summaries, step: int) -> None:
        synthetic, real = self.previews
        summaries.grid(step, [synthetic, self.refiner(synthetic), real])

    def _write_configs(self) -> None:
        atomic_write_text(files.join(self.output_dir, OPERATIVE_CONFIG), gin.operative_config_str())
        atomic_write_text(files.join(self.output_dir, FULL_CONFIG), gin.config_str())

    def evaluate(self, step: int, summaries: Summaries | None = None) -> dict[str, float]:
        """Runs every evaluator; logs to TensorBoard and appends to evaluation.json."""
        results = {}
        for name, evaluator in self.evaluators.items():
            for key, value in evaluator.evaluate(self.refiner, step).items():
                results[f"{name}/{key}"] = float(value)
        if summaries is not None:
            summaries.scalars(step, {f"eval/{k}": v for k, v in results.items()})
        evaluation.append_results(files.join(self.model_dir, EVALUATION_FILE), step, results)
        logging.info("evaluation at step %d: %s", step, results)
        return results

    def export(self) -> str:
        """Saves the refiner as a standalone .keras file (atomically)."""
        path = exported.save(self.refiner, self.output_dir)
        self._write_configs()
        logging.info("Exported refiner to %s", path)
        return path


def _due(every: int, step: int, total: int) -> bool:
    """Whether an action with interval ``every`` runs after ``step``: at each multiple of
    ``every`` and at the end; never when ``every`` is 0 (off)."""
    return bool(every) and (step % every == 0 or step == total)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s" if hours else f"{minutes}m{seconds:02d}s"
