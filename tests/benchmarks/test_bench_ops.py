"""The fused local adversarial custom op against its pure-TF fallback.

    python -m pytest tests/benchmarks/test_bench_ops.py --benchmark-only \
        --benchmark-columns=median,rounds [--simgan-sizes=cpu,paper]

The op library is built into the ops cache first (as `simgan-build-ops` does). Loss: the loss
and its gradient on discriminator logits [B, 9, 14, 2] in a tf.function, op and fallback
interleaved. Step: a discriminator step of the Trainer with `fused_local_adversarial` against
one with `local_adversarial` (float32, no XLA, reduction 'mean' as in eyes_paper.gin).
"""

import pytest
import tensorflow as tf

import bench_support
from simgan.plugins.ops import build as custom_ops
from simgan.plugins.simgan import schedule
from simgan.plugins.ops import fused_adversarial

PATCHES = (9, 14)  # the local discriminator's map for 35x55 images


@pytest.fixture(scope="module")
def built():
    custom_ops.build(fused_adversarial.LIBRARY)


def _loss_and_gradient(loss):
    @tf.function
    def run(logits):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            total = tf.reduce_mean(loss(logits, True)) + tf.reduce_mean(loss(logits, False))
        return total, tape.gradient(total, logits)

    return run


@pytest.mark.parametrize("size", list(bench_support.SIZES), indirect=True)
def test_loss_op_vs_fallback(benchmark, record, built, size):
    op_loss = fused_adversarial.fused_local_adversarial(reduction="mean")
    assert op_loss.implementation == fused_adversarial.CUSTOM_OP
    fallback = lambda logits, is_real: fused_adversarial.fallback_loss(  # noqa: E731
        tf.cast(logits, tf.float32), 0 if is_real else 1, True)
    logits = tf.random.normal([size, *PATCHES, 2])
    op_run, fallback_run = _loss_and_gradient(op_loss), _loss_and_gradient(fallback)
    result = bench_support.side_by_side(benchmark, lambda: op_run(logits)[1].numpy(),
                                        lambda: fallback_run(logits)[1].numpy(), 50)
    tf.debugging.assert_near(op_run(logits)[1], fallback_run(logits)[1], atol=1e-6)
    record(seconds=result.framework, other_seconds=result.naive, speedup=result.speedup)


@pytest.mark.parametrize("size", ["cpu"], indirect=True)
def test_discriminator_step_op_vs_fallback(benchmark, record, built, tmp_path, size):
    op = bench_support.build_trainer(
        str(tmp_path / "op"), size, False, "float32",
        ["simgan.discriminator_objective = ['fused_local_adversarial']",
         "fused_local_adversarial.reduction = 'mean'"])
    assert op.task.discriminator_terms.terms[0][1].implementation == fused_adversarial.CUSTOM_OP
    plain = bench_support.build_trainer(str(tmp_path / "plain"), size, False, "float32")
    steps = [schedule.DISCRIMINATOR]
    result = bench_support.side_by_side(benchmark, lambda: op.run_steps(steps),
                                        lambda: plain.run_steps(steps), 3)
    record(seconds=result.framework, other_seconds=result.naive, speedup=result.speedup)
