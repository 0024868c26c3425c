"""The engine: runs a task's phases as fused compiled calls and the actions at intervals.

`Engine.run_steps(phases)` executes steps in one tf.function call: each pulls its domains'
batches from checkpointable sources, splits them across replicas, runs the task's step under
the strategy, sums the replicas' metrics, flags the first non-finite or diverging step and
advances the global step; nothing returns to Python between steps. The host loop
(`Engine.train`) picks the phases from the task's schedule and runs the actions.
"""

from __future__ import annotations

import functools
import time
from typing import Callable, Mapping, Protocol, Sequence

import gin
import tensorflow as tf
from absl import logging
from simgan.configs import selection, validation
from simgan.configs.parsing import ConfigError
from simgan.core import data, evaluation, seeds
from simgan.core.engine import actions, health, sources, speed, strategies
from simgan.core.engine.config import resumable, TrainConfig
from simgan.core.engine.task import BuildContext, Phase, Stage, Task
from simgan.core.registries import DATASETS, EVALUATORS, TASKS
from simgan.io import evaluation_file, files, interrupts, provenance, report
from simgan.io.checkpoint import checkpoint_step, Checkpointer
from simgan.io.summaries import Summaries

DOMAINS = ("synthetic", "real")  # the gin scopes the run's two datasets are built under


class Progress(Protocol):
    """What shows a run's progress (e.g. tools/progress.py's bars): told after each call."""

    def update(self, done: int, values: Mapping[str, float]) -> object: ...


# (the task's stages, the step the run starts or resumes at) -> a Progress
ProgressFactory = Callable[[Sequence[Stage], int], Progress]


class Engine:
    """Builds the run described by ``config`` (its task, data and evaluators) in ``model_dir``;
    ``progress`` makes what shows the chief's progress (None: only the log)."""

    def __init__(self, config: TrainConfig, model_dir: str, seed: int,
                 strategy: tf.distribute.Strategy | None = None,
                 progress: ProgressFactory | None = None):
        self.config, self.model_dir, self.seed = config, model_dir, seed
        self.progress = progress
        self.strategy = strategy or tf.distribute.get_strategy()
        # Only the chief writes the model dir; other workers write to a scratch folder.
        self.is_chief, worker = strategies.chief_and_task(self.strategy)
        self.output_dir = model_dir if self.is_chief else files.join(model_dir, f".worker_{worker}")
        replicas = self.strategy.num_replicas_in_sync
        if config.batch_size % replicas or config.batch_size // replicas < 2:
            raise ValueError(f"train.batch_size: {config.batch_size} must be a multiple of the "
                             f"{replicas} replicas with at least 2 images per replica")
        self.global_batch = config.batch_size

        names = {"synthetic": config.synthetic_dataset, "real": config.real_dataset}
        datasets = {d: data.build(names[d], d, seeds.stream(seed, f"{d}_data")) for d in DOMAINS}
        self.image_shape = _common_shape(datasets)
        self.previews = {d: tf.constant(data.first(ds, config.preview_images)[data.IMAGE_KEY])
                         for d, ds in datasets.items()}
        self.sources = {d: self._batches(ds, seeds.stream(seed, f"{d}_data"))
                        for d, ds in datasets.items()}
        self.domains = evaluation.Domains(synthetic=names["synthetic"], real=names["real"])

        self.precision = speed.resolve_precision(config.mixed_precision)
        jit = speed.resolve_jit(config.jit_compile)
        self.task: Task = validation.configured(lambda: TASKS.build(config.task), config.task)
        context = BuildContext(image_shape=self.image_shape, global_batch=self.global_batch,
                               replica_batch=self.global_batch // replicas, seed=seed,
                               precision=self.precision, jit_compile=jit,
                               strategy=self.strategy, domains=self.domains)
        with self.strategy.scope(), speed.dtype_policy(self.precision):
            self.task.build(context)
        self.phases: dict[str, Phase] = {p.name: p for p in self.task.phases()}
        self.phase_ids = {name: i for i, name in enumerate(self.phases)}
        with self.strategy.scope():
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
            self.diverged_at = tf.Variable(-1, dtype=tf.int64, trainable=False, name="diverged_at")
            metric_names = dict.fromkeys(m for p in self.phases.values() for m in p.metrics)
            self.metrics = {m: tf.Variable(0.0, trainable=False, name=m.replace("/", "_"))
                            for m in metric_names}
        self._run = tf.function(self._run_impl, input_signature=[tf.TensorSpec([None], tf.int32)])

        self.evaluators = {
            name: actions.build_evaluator(name, kind, seed=seeds.stream(seed, "evaluation"),
                                          output_dir=files.join(model_dir, "eval", name),
                                          domains=self.domains)
            for name, kind in config.evaluator_instances()} if self.is_chief else {}
        if self.is_chief:  # every bound dataset is one the run (its task, an evaluator) builds
            selection.check_selected(DATASETS, {
                "train.synthetic_dataset": (names["synthetic"], "synthetic"),
                "train.real_dataset": (names["real"], "real"),
                **selection.component_selections("task", {config.task: self.task}),
                **selection.component_selections("evaluator", self.evaluators)})
        trackables = dict(self.task.trackables(), step=self.step, diverged_at=self.diverged_at)
        for domain, source in self.sources.items():
            trackables.update(source.trackables(f"{domain}_data"))
        self.checkpointer = Checkpointer(model_dir, self.output_dir,
                                         max_to_keep=config.keep_checkpoints, **trackables)
        self.health = health.Monitor(config.health, self.task)
        logging.info("Task %s, precision %s, XLA %s, up to %d steps per call, batches staged on "
                     "the device: %s", config.task, self.precision, jit, config.steps_per_call,
                     isinstance(self.sources["synthetic"], sources.DeviceStage))

    # ---- data --------------------------------------------------------------------------------

    def _batches(self, dataset: tf.data.Dataset, seed: int):
        """One domain's batches: a plugin's source for the dataset (e.g. a device pool), else
        a plain (checkpointable) host iterator of its numeric entries, optionally staged on the
        device; each global batch is split across the replicas inside the step function."""
        source = sources.provided(dataset, self.global_batch, seed, self.strategy)
        if source is not None:
            return source
        numeric = [k for k, s in dataset.element_spec.items()
                   if s.dtype.is_floating or s.dtype.is_integer or s.dtype.is_bool]
        dataset = data.batched(dataset.map(lambda e: {k: e[k] for k in numeric}),
                               self.global_batch, seed)
        iterator = iter(dataset)
        if not speed.resolve_prefetch(self.config.prefetch_to_device, self.strategy):
            return sources.HostBatches(iterator)
        if self.strategy.num_replicas_in_sync > 1:
            raise ValueError("train.prefetch_to_device: supported with one replica only; the "
                             f"strategy has {self.strategy.num_replicas_in_sync}")
        device = self.strategy.extended.worker_devices[0]
        return sources.DeviceStage(iterator, dataset.element_spec, device)

    def _split(self, batch: dict[str, tf.Tensor]):
        """Distributes a global batch: replica i gets the i-th contiguous slice of each entry."""
        per_replica = self.global_batch // self.strategy.num_replicas_in_sync
        return self.strategy.experimental_distribute_values_from_function(
            lambda ctx: {k: v[ctx.replica_id_in_sync_group * per_replica:
                              (ctx.replica_id_in_sync_group + 1) * per_replica]
                         for k, v in batch.items()})

    # ---- the compiled steps ------------------------------------------------------------------

    def _phase_step(self, phase: Phase) -> tf.Tensor:
        batches = {d: self._split(self.sources[d].next()) for d in phase.inputs}
        values = self.strategy.run(phase.step, args=(batches,))
        healthy = tf.constant(True)
        for name in phase.metrics:
            value = self.metrics[name].assign(
                self.strategy.reduce(tf.distribute.ReduceOp.SUM, values[name], axis=None))
            healthy &= tf.math.is_finite(value) & (tf.abs(value) <= self.config.max_loss)
        self.diverged_at.assign(tf.where((self.diverged_at < 0) & ~healthy, self.step,
                                         self.diverged_at))
        return self.step.assign_add(1)

    def _run_impl(self, phase_ids: tf.Tensor) -> tf.Tensor:
        branches = [lambda p=p: self._phase_step(p) for p in self.phases.values()]
        for phase_id in phase_ids:
            tf.switch_case(phase_id, branches)
        return self.step.read_value()

    def run_steps(self, phases: Sequence[str]) -> int:
        """Runs the named phases' steps in one compiled call; returns the new global step."""
        return int(self._run(tf.constant([self.phase_ids[p] for p in phases], tf.int32)))

    def values(self, phases: Sequence[str] | None = None) -> dict[str, float]:
        """The last value of the metrics of ``phases`` (all phases when None)."""
        names = self.metrics if phases is None else dict.fromkeys(
            m for p in phases for m in self.phases[p].metrics)
        return {name: float(self.metrics[name].numpy()) for name in names}

    # ---- the host loop -----------------------------------------------------------------------

    def train(self) -> dict[str, float]:
        """Runs (or resumes) the schedule to the end; returns the final evaluation results."""
        self.run_record = run = provenance.record(self.seed, self.precision)
        latest = self.checkpointer.latest()
        if latest and self.is_chief:  # compared before restoring: a refused change touches nothing
            allowed = functools.partial(resumable, evaluators=EVALUATORS.names(),
                                        task_bindings=getattr(self.task, "resumable_bindings", ()))
            provenance.check_resume(self.model_dir, checkpoint_step(latest), run,
                                    self.config.allow_config_change, allowed)
        self.checkpointer.restore_latest()
        actions.check_divergence(self, "restored checkpoint")
        evaluation_file.load_results(files.join(self.model_dir, evaluation_file.NAME))  # readable
        total, start = self.task.total_steps(), int(self.step.numpy())
        if start > total:
            raise ConfigError(f"{self.model_dir}: the checkpoint is at step {start}, but the "
                              f"schedule now ends at step {total}; lengthen the schedule or use "
                              "a new --model_dir")
        for source in self.sources.values():
            source.prime()
        tf.io.gfile.makedirs(self.output_dir)
        self.session_start = start
        provenance.write(self.output_dir, start, run)
        summaries = Summaries(self.output_dir)
        summaries.config(start, gin.operative_config_str())
        if start:
            logging.info("Resuming at step %d of %d", start, total)
        if start == 0 and self.config.image_every:
            actions.grid(self, summaries, 0)
        bar = self.progress(self.task.stages(), start) if self.progress and self.is_chief else None
        clock, clock_step, done, ran = time.time(), start, start, set()
        while done < total:
            interrupts.at(f"step {done} of {total} (the last checkpoint is resumed from)")
            count = self._steps_until_boundary(done)
            window = [self.task.phase_at(s) for s in range(done, done + count)]
            ran.update(window)
            with interrupts.deferred():  # a signal inside TF's tracing would fail the run
                done = self.run_steps(window)
            actions.check_divergence(self, f"step {done}")  # before any grid or evaluation
            if bar is not None:
                bar.update(done, self.values(window))
            if _due(self.config.summary_every, done, total):
                rate = (done - clock_step) / max(time.time() - clock, 1e-9)
                scalars = self.values(sorted(ran))
                logging.info("step %d/%d [%s] %s | %.2f steps/s, %s left", done, total,
                             window[-1], " ".join(f"{k}={v:.4g}" for k, v in
                                                  sorted(scalars.items())), rate,
                             report.duration((total - done) / max(rate, 1e-9)))
                scalars.update(actions.task_scalars(self.task))
                scalars["steps_per_second"] = rate
                summaries.scalars(done, scalars)
                self.health.observe(self, done, summaries, scalars)
                self.health.check(self, done)
                clock, clock_step, ran = time.time(), done, set()
            if _due(self.config.image_every, done, total):
                actions.grid(self, summaries, done)
            if _due(self.config.checkpoint_every, done, total) or done == total:
                with interrupts.deferred():  # a checkpoint and its index, whole
                    self.checkpointer.save(done)
            if self.config.eval_every and done % self.config.eval_every == 0 and done != total:
                self.evaluate(done, summaries)
        interrupts.at("the export and the final evaluation (training is checkpointed)")
        with interrupts.deferred():
            self.export()
        results = self.evaluate(total, summaries) if self.evaluators else {}
        if not self.is_chief:
            tf.io.gfile.rmtree(self.output_dir)
        return results

    def _steps_until_boundary(self, step: int) -> int:
        """How many steps from ``step`` can run in one call: up to ``steps_per_call``, stopping
        at the next summary, image, checkpoint or evaluation step, or the end."""
        c = self.config
        limit = min(c.steps_per_call, self.task.total_steps() - step)
        for every in (c.summary_every, c.image_every, c.checkpoint_every, c.eval_every):
            if every:
                limit = min(limit, every - step % every)
        return max(limit, 1)

    def evaluate(self, step: int, summaries: Summaries | None = None) -> dict[str, float]:
        """Runs every evaluator instance; logs to TensorBoard and appends to evaluation.json."""
        return actions.evaluate(self, step, summaries)

    def export(self) -> str:
        """Saves the generator as a standalone .keras file (atomically)."""
        return actions.export(self)

    def output_paths(self) -> dict[str, str]:
        """Where a finished run's outputs are, for the end-of-run report."""
        return actions.output_paths(self.model_dir)


def _common_shape(datasets: dict[str, tf.data.Dataset]) -> tuple[int, int, int]:
    synthetic, real = (tuple(datasets[d].element_spec[data.IMAGE_KEY].shape) for d in DOMAINS)
    if synthetic != real or None in synthetic:
        raise data.DatasetContractError(
            f"train: synthetic images {synthetic} and real images {real} must have the same "
            "fully defined [H, W, C]; set the datasets' height/width")
    return synthetic


def _due(every: int, step: int, total: int) -> bool:
    """Whether an action every ``every`` steps (0: off) is due at ``step`` (or the run's end)."""
    return bool(every) and (step % every == 0 or step == total)

