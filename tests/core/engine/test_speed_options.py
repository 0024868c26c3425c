"""Each speed option trains the same model to the same loss (within tolerance) on CPU."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import toy_data  # noqa: F401  (registers toy_squares)
from simgan.core.engine import speed
from simgan.plugins import loading
from train_cli import TESTS, TOY_CONFIG, train_engine

loading.load_all()


def train(tmp_path, name, extra_gin="", **options):
    bindings = "".join(f"train.{k} = {v!r}\n" for k, v in options.items())
    engine = train_engine(tmp_path / name, TOY_CONFIG + "train.image_every = 0\n" + extra_gin
                          + "\n" + bindings)
    return engine.values(), [w.numpy() for w in engine.task.generator.weights]


APART = """
import json, pathlib, sys
import numpy as np
sys.path[:0] = {paths!r}
from test_speed_options import train
values, weights = train(pathlib.Path({folder!r}), *{args!r}, **{options!r})
np.savez({out!r}, *weights)
print(json.dumps(values))
"""


def train_apart(tmp_path, name, extra_gin="", **options):
    """`train` in a fresh process: XLA has no deterministic max-pool gradient, and op
    determinism, once an earlier test of this worker turned it on, stays on in its process."""
    out = str(tmp_path / f"{name}_weights.npz")
    script = APART.format(paths=[os.path.dirname(__file__), TESTS], folder=str(tmp_path),
                          args=(name, extra_gin), options=options, out=out)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    weights = np.load(out)
    return (json.loads(done.stdout.strip().splitlines()[-1]),
            [weights[f"arr_{i}"] for i in range(len(weights.files))])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return train(tmp_path_factory.mktemp("ref"), "ref", steps_per_call=1, jit_compile=False,
                 mixed_precision="float32")


def test_fusing_steps_gives_identical_weights(tmp_path, reference):
    values, weights = train(tmp_path, "fused", steps_per_call=7, jit_compile=False,
                            mixed_precision="float32")
    assert values == reference[0]
    for a, b in zip(weights, reference[1]):
        np.testing.assert_array_equal(a, b)


def test_staging_batches_on_the_device_gives_identical_weights(tmp_path, reference):
    values, weights = train(tmp_path, "staged", steps_per_call=3, jit_compile=False,
                            mixed_precision="float32", prefetch_to_device=True)
    assert values == reference[0]
    for a, b in zip(weights, reference[1]):
        np.testing.assert_array_equal(a, b)


def test_xla_matches_within_float_tolerance(tmp_path, reference):
    values, weights = train_apart(tmp_path, "xla", steps_per_call=1, jit_compile=True,
                                  mixed_precision="float32")
    for key, value in reference[0].items():
        assert values[key] == pytest.approx(value, rel=1e-3, abs=1e-4), key
    for a, b in zip(weights, reference[1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_bfloat16_mixed_precision_matches_within_its_precision(tmp_path, reference):
    values, weights = train(tmp_path, "bf16", steps_per_call=1, jit_compile=False,
                            mixed_precision="mixed_bfloat16")
    for key in ("refiner/self_regularization", "discriminator/total"):
        assert values[key] == pytest.approx(reference[0][key], rel=0.1, abs=0.02), key
    assert all(w.dtype == np.float32 for w in weights)  # variables stay float32


def test_float16_uses_loss_scaling_and_stays_close(tmp_path, reference):
    values, _ = train(tmp_path, "fp16", steps_per_call=1, jit_compile=False,
                      mixed_precision="mixed_float16")
    for key in ("refiner/self_regularization", "discriminator/total"):
        assert values[key] == pytest.approx(reference[0][key], rel=0.1, abs=0.02), key


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(ValueError, match="train.mixed_precision"):
        speed.resolve_precision("float8")


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_is_bfloat16_only_where_the_cpu_computes_it(monkeypatch, native):
    monkeypatch.setattr(speed.cpu_features, "native_bfloat16", lambda: native)
    assert speed.resolve_precision("auto") == ("mixed_bfloat16" if native else "float32")
    assert speed.resolve_precision(None) == "float32"  # None on a CPU: float32 either way


def test_bfloat16_asked_for_where_it_is_emulated_is_kept_with_a_warning(monkeypatch):
    monkeypatch.setattr(speed.cpu_features, "native_bfloat16", lambda: False)
    warnings = []
    monkeypatch.setattr(speed.logging, "warning", lambda msg, *a: warnings.append(msg % a))
    assert speed.resolve_precision("mixed_bfloat16") == "mixed_bfloat16"
    assert len(warnings) == 1 and "emulates bfloat16" in warnings[0] and "'auto'" in warnings[0]
    monkeypatch.setattr(speed.cpu_features, "native_bfloat16", lambda: True)
    assert speed.resolve_precision("mixed_bfloat16") == "mixed_bfloat16"
    assert len(warnings) == 1


def test_defaults_on_cpu_are_float32_without_xla_or_staging():
    assert speed.resolve_precision(None) == "float32"
    assert speed.resolve_jit(None) is False
    assert speed.resolve_prefetch(None, tf.distribute.get_strategy()) is False


def test_compile_step_says_when_it_traces_for_xla():
    seen = []

    def step(x):
        seen.append(speed.tracing_for_xla())
        return x * 2.0

    for jit_compile in (False, True):
        assert float(speed.compile_step(step, jit_compile)(tf.constant(1.5))) == 3.0
    assert seen == [False, True]
    assert speed.tracing_for_xla() is False  # reset once the trace ends


def train_with_pools(tmp_path, name, extra_gin="", **options):
    pools = f"pool.dataset = 'toy_squares'\npool.cache_dir = '{tmp_path / 'cache'}'\n"
    return train_apart(tmp_path, name, pools + extra_gin, synthetic_dataset="pool",
                       real_dataset="pool", **options)


def assert_same_loss(values, reference_values):
    """Within 3% (measured: 0.1-0.4% for pools, whose batches differ, and for bfloat16)."""
    for key in ("refiner/self_regularization", "refiner/total", "discriminator/total"):
        assert values[key] == pytest.approx(reference_values[key], rel=0.03, abs=0.01), key


GPU_DEFAULTS = dict(steps_per_call=5, jit_compile=True, mixed_precision="mixed_bfloat16")
FUSED = ("simgan.refiner_objective = ['fused_local_adversarial', 'self_regularization']\n"
         "simgan.discriminator_objective = ['fused_local_adversarial']\n")


def test_gpu_defaults_with_staging_train_to_the_plain_loss(tmp_path, reference):
    """XLA, bfloat16, batches staged on the device, 5 steps per call and the fused loss (its
    pure-TF fallback: no op is built here, and XLA always takes it)."""
    values, _ = train_apart(tmp_path, "gpu_staged", FUSED, prefetch_to_device=True,
                            **GPU_DEFAULTS)
    assert_same_loss(values, reference[0])


def test_gpu_defaults_with_pools_train_to_the_plain_loss(tmp_path, reference):
    values, _ = train_with_pools(tmp_path, "gpu_pools", FUSED, **GPU_DEFAULTS)
    assert_same_loss(values, reference[0])

