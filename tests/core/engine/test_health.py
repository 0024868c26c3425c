"""Training health: a collapsed game stops the run with one line naming the symptom and the
step, keeping the last healthy checkpoint and its export; 'warn' lets it go on; a healthy run
raises nothing (every other training test runs with the default 'stop'); an adversarial loss
that runs away while the content terms stay flat is a symptom, a healthy rise is not; outputs
are judged once the generator is in the game, not while it is pretrained."""

import json

import tensorflow as tf

from simgan.core.engine import health
from simgan.io.checkpoint import Checkpointer
from train_cli import TOY_CONFIG, run_train, train_here, write_config

# A refiner at a learning rate 300x the paper's and no self-regularization: its tanh saturates
# and every input maps to the same image within a few adversarial steps.
COLLAPSING = TOY_CONFIG.replace("simgan.iterations = 4", "simgan.iterations = 30") + """
train.summary_every = 5
train.image_every = 0
train.checkpoint_every = 5
refiner/sgd.learning_rate = 3.0
refiner/self_regularization.weight = 0.0
"""


def _errors(result):
    return [line for line in result.stderr.splitlines() if "simgan-train: error" in line]


def test_collapse_stops_the_run_keeping_the_last_healthy_checkpoint_and_export(tmp_path):
    model_dir = tmp_path / "m"
    result = run_train(model_dir, write_config(tmp_path, COLLAPSING))
    assert result.returncode == 1
    errors = _errors(result)
    assert len(errors) == 1 and "Training unhealthy at step" in errors[0], result.stderr[-2000:]
    assert "collapsed_output" in errors[0] or "saturated_output" in errors[0]
    records = json.loads((model_dir / "evaluation.json").read_text())
    assert any(k.startswith("health/") for r in records for k in r)
    latest = tf.train.latest_checkpoint(str(model_dir / "checkpoints"))
    assert latest is not None and latest in errors[0]  # the last healthy one, named
    step = int(latest.rsplit("-", 1)[1])
    assert f"at step {step}" not in errors[0]  # detected after it
    assert (model_dir / "export" / "refiner.keras").exists()


def test_warn_reports_the_symptom_and_trains_to_the_end(tmp_path, caplog):
    config = write_config(tmp_path, COLLAPSING + "train.health = 'warn'\n")
    train_here(tmp_path / "m", config)
    assert "Training unhealthy at step" in caplog.text
    assert tf.train.latest_checkpoint(str(tmp_path / "m" / "checkpoints")).endswith("ckpt-96")


class _Task:
    """A task whose generator is the identity (no output symptom), with S+U's metric names."""

    def generator(self, images, training=False):
        return images

    def health_signals(self):
        return health.Signals(accuracy_generated="discriminator/accuracy_refined",
                              adversarial=("refiner/local_adversarial",),
                              content=("refiner/self_regularization",))


class _Engine:
    def __init__(self, model_dir):
        self.model_dir, self.metrics = str(model_dir), {}
        self.previews = {"synthetic": tf.random.stateless_uniform([4, 6, 6, 1], [0, 1], -1, 1)}


class _Summaries:
    def scalars(self, step, values):
        pass


def _watch(tmp_path, adversarial, content, rejected=0.99, every=25):
    """Feeds the monitor one summary step per value, the discriminator rejecting ``rejected``
    of the generated images; returns the first symptom (or None)."""
    monitor, engine = health.Monitor("stop", _Task()), _Engine(tmp_path)
    for i, (a, c) in enumerate(zip(adversarial, content)):
        values = {"refiner/self_regularization": c}
        if a is not None:  # None: a pretraining window, the adversarial term not computed
            values.update({"refiner/local_adversarial": a,
                           "discriminator/accuracy_refined": rejected})
        monitor.observe(engine, (i + 1) * every, _Summaries(), values)
    return monitor.symptom


RUNAWAY = [None] * 4 + [0.7] * 10 + [2.0] * 14  # 2.9x its lowest from summary 15 on


def test_an_adversarial_loss_that_runs_away_with_content_flat_is_a_symptom(tmp_path):
    # Found once it has lasted the window (300 steps = 12 summaries of 25), not before.
    name, step, detail, since = _watch(tmp_path, RUNAWAY, [0.1] * len(RUNAWAY))
    assert name == "adversarial_runaway" and step == 27 * 25 and since == 375
    assert "since step 375" in detail
    assert json.loads((tmp_path / "evaluation.json").read_text()) == [
        {"step": step, "health/adversarial_runaway": 1.0}]
    assert _watch(tmp_path / "short", RUNAWAY[:-3], [0.1] * 25) is None


def test_a_rise_the_discriminator_does_not_win_or_with_the_generator_moving_is_not(tmp_path):
    # Healthy CUT runs settle at 3x their first steps' loss while the discriminator still
    # accepts some generated images (docs/ROBUSTNESS.md, "Training health").
    assert _watch(tmp_path / "a", RUNAWAY, [0.1] * len(RUNAWAY), rejected=0.8) is None
    assert _watch(tmp_path / "b", [0.7] * 5 + [1.4] * 30, [0.1] * 35) is None
    moving = [0.1 * 1.6 ** (i // 8) for i in range(35)]  # grows by 60% every 8 summaries
    assert _watch(tmp_path / "c", [0.7] * 5 + [2.0] * 30, moving) is None


class _Saturating(_Task):
    """A generator that pushes every pixel to 0.97 of the range (in float32 a tanh rarely
    reaches 0.99: the near-black collapse of docs/ROBUSTNESS.md)."""

    def generator(self, images, training=False):
        return 0.97 * tf.sign(images - 0.5)


IN_THE_GAME = {"refiner/local_adversarial": 0.7, "refiner/self_regularization": 0.1}


def _saturate(tmp_path, spells):
    """Feeds a monitor one summary step of 25 per entry, the generator saturating where the
    entry is True (the identity elsewhere); returns the first symptom (or None)."""
    monitor, engine = health.Monitor("stop", _Task()), _Engine(tmp_path)
    for i, saturating in enumerate(spells):
        monitor.task = _Saturating() if saturating else _Task()
        monitor.observe(engine, (i + 1) * 25, _Summaries(), IN_THE_GAME)
        if monitor.symptom:
            break
    return monitor.symptom


def test_outputs_near_the_range_limits_for_the_window_are_saturated(tmp_path):
    # Saturated from step 50 on: found once it has lasted the window (300 steps), at 350.
    name, step, detail, since = _saturate(tmp_path, [False] + [True] * 20)
    assert (name, step, since) == ("saturated_output", 350, 50)
    assert "100% of the pixels" in detail and "since step 50" in detail
    # A spell of 275 steps that passes (the quickstart's model on the outside user's shapes
    # saturated for 125 steps, then recovered and paid: docs/ROBUSTNESS.md) is not a symptom,
    # and a later spell is timed from its own start.
    assert _saturate(tmp_path, [True] * 12 + [False] + [True] * 12) is None
    assert _saturate(tmp_path, [False] * 20) is None


class _Constant(_Task):
    """A generator that returns one image for every input."""

    def generator(self, images, training=False):
        return tf.zeros_like(images) - 0.3


def test_outputs_are_judged_in_the_game_not_while_the_generator_is_pretrained(tmp_path):
    # A refiner early in its identity pretraining can still return nearly one image for
    # every input (glyphs at 8x8, docs/ROBUSTNESS.md): not a collapse until the game starts.
    for task, name, found in ((_Constant(), "collapsed_output", 75),
                              (_Saturating(), "saturated_output", 375)):
        monitor = health.Monitor("stop", task)
        monitor.observe(_Engine(tmp_path), 50, _Summaries(), {"refiner/self_regularization": 0.4})
        assert monitor.symptom is None
        for step in range(75, found + 25, 25):
            monitor.observe(_Engine(tmp_path), step, _Summaries(), IN_THE_GAME)
        assert monitor.symptom[:2] == (name, found) and monitor.symptom[3] == 75
    # One image at the end of pretraining and still in the game: pretraining failed, and the
    # message says so (its advice covers that case: a larger weight would make it worse).
    monitor = health.Monitor("stop", _Constant())
    monitor.observe(_Engine(tmp_path), 50, _Summaries(), {"refiner/self_regularization": 0.4})
    monitor.observe(_Engine(tmp_path), 75, _Summaries(), IN_THE_GAME)
    assert "one image already at step 50, the end of the generator's pretraining" in \
        monitor.symptom[2]
    assert "if pretraining never learned the identity" in monitor.message()


class _CheckpointedEngine(_Engine):
    """An engine with a real Checkpointer over one variable whose value is the step saved."""

    def __init__(self, model_dir):
        super().__init__(model_dir)
        self.value = tf.Variable(0.0)
        self.checkpointer = Checkpointer(self.model_dir, self.model_dir, max_to_keep=3,
                                         value=self.value)
        self.exported = None

    def export(self):
        self.exported = float(self.value.numpy())
        return f"{self.model_dir}/export/refiner.keras"


def test_a_windowed_symptom_keeps_the_checkpoint_saved_before_it_began(tmp_path):
    # The runaway builds from step 375 and is found at 675 (test above); the checkpoints of
    # steps 400 and 600 were saved while it built, so the one of step 200 is kept.
    engine = _CheckpointedEngine(tmp_path)
    monitor = health.Monitor("stop", _Task())
    for i, a in enumerate(RUNAWAY):
        step = (i + 1) * 25
        values = {"refiner/self_regularization": 0.1}
        if a is not None:
            values.update({"refiner/local_adversarial": a,
                           "discriminator/accuracy_refined": 0.99})
        monitor.observe(engine, step, _Summaries(), values)
        try:
            monitor.check(engine, step)
        except health.TrainingUnhealthyError as e:
            error = str(e)
            break
        if step % 200 == 0:
            engine.value.assign(float(step))
            engine.checkpointer.save(step)
    assert step == 675 and "adversarial_runaway" in error
    assert "checkpoints/ckpt-200, exported" in error and engine.exported == 200.0
    assert float(engine.value.numpy()) == 200.0  # restored, not the step-600 weights


class _BothAccuracies(_Task):
    def health_signals(self):
        return health.Signals(accuracy_real="d/real", accuracy_generated="d/generated")


def test_a_discriminator_that_wins_on_both_sides_for_the_window_is_a_symptom(tmp_path):
    monitor = health.Monitor("stop", _BothAccuracies())
    for i in range(20):  # wins on both sides from the fifth summary (step 125) on
        monitor.observe(_Engine(tmp_path), (i + 1) * 25, _Summaries(),
                        {"d/real": 1.0, "d/generated": 0.999 if i >= 4 else 0.9})
        if monitor.symptom:
            break
    name, step, detail, since = monitor.symptom
    assert (name, step, since) == ("discriminator_wins", 425, 125) and "since step 125" in detail
    one_side = health.Monitor("stop", _BothAccuracies())
    for i in range(20):
        one_side.observe(_Engine(tmp_path), (i + 1) * 25, _Summaries(),
                         {"d/real": 1.0, "d/generated": 0.9})
    assert one_side.symptom is None
