"""Benchmark options and the summary printed at the end: the framework's speed-up over the naive
Keras baseline (measured side by side) and achieved FLOP/s against the measured matmul peak."""

from __future__ import annotations

import pytest

import bench_support

ROWS: list[dict] = []
PEAKS: dict[str, float] = {}


def pytest_addoption(parser):
    parser.addoption("--simgan-sizes", default="auto",
                     help="Benchmark sizes: comma-separated of " + ", ".join(bench_support.SIZES)
                     + "; 'auto' = cpu without a GPU, all with one.")


def selected_sizes(config) -> set[str]:
    value = config.getoption("--simgan-sizes")
    if value == "auto":
        return set(bench_support.SIZES) if bench_support.has_gpu() else {"cpu"}
    sizes = {s.strip() for s in value.split(",") if s.strip()}
    unknown = sizes - set(bench_support.SIZES)
    if unknown:
        raise pytest.UsageError(f"--simgan-sizes: unknown {sorted(unknown)}; "
                                f"known: {sorted(bench_support.SIZES)}")
    return sizes


@pytest.fixture
def size(request) -> int:
    """The batch size of the parametrized size name; skips sizes not selected."""
    name = request.param
    if name not in selected_sizes(request.config):
        pytest.skip(f"size {name!r} not selected (--simgan-sizes={name} to run it)")
    return bench_support.SIZES[name]


@pytest.fixture
def peaks():
    """Measures the matmul FLOP/s of a precision now, right after the benchmark's rounds, so
    it sees the same machine load; kept per precision (best so far) for the summary."""
    import tensorflow as tf
    dtypes = {"float32": tf.float32, "mixed_bfloat16": tf.bfloat16, "mixed_float16": tf.float16}

    def measure(precision: str) -> float:
        peak = bench_support.matmul_peak(dtypes[precision])
        PEAKS[precision] = max(PEAKS.get(precision, 0.0), peak)
        return peak

    return measure


@pytest.fixture
def record(request, benchmark):
    """Adds a row to the summary and to the benchmark's extra_info."""

    def add(**row):
        benchmark.extra_info.update(row)
        ROWS.append({"test": request.node.name, **row})

    return add


def _cell(value, scale: float, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value * scale:>{width}.2f}"


def pytest_terminal_summary(terminalreporter):
    if not ROWS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("simgan benchmark summary")
    for name, value in sorted(PEAKS.items()):
        write(f"best measured matmul peak ({name}): {value / 1e9:.1f} GFLOP/s")
    write(f"{'benchmark':<62} {'ours ms':>9} {'other ms':>9} {'speed-up':>8} {'GFLOP/s':>8} "
          f"{'% peak':>7} {'images/s':>10}")
    for row in ROWS:
        write(f"{row['test']:<62} {_cell(row.get('seconds'), 1e3, 9)} "
              f"{_cell(row.get('other_seconds'), 1e3, 9)} {_cell(row.get('speedup'), 1, 8)} "
              f"{_cell(row.get('flops_per_second'), 1e-9, 8)} "
              f"{_cell(row.get('fraction_of_peak'), 100, 7)} "
              f"{_cell(row.get('images_per_second'), 1, 10)}")
    write("speed-up = other / ours (medians of interleaved rounds). '% peak' is against a "
          "matmul timed right after the rounds in the step's precision. 'other' is the naive "
          "Keras baseline for steps and buffer, the pure-TF fallback for the custom op (the "
          "Trainer with the plain loss for the op's step); for the input pipeline 'ours ms' "
          "is one batch, and images/s what a step can be fed.")
