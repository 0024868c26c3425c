"""What this machine's CPU is and computes natively, read from the Linux kernel's
``/proc/cpuinfo``.

The trainer asks it whether bfloat16 is native: with AVX512_BF16 or AMX-BF16, mixed bfloat16
is about 2x the steps per second of float32; without (AVX2-only CPUs: most AMD EPYC/Ryzen
before Zen 4, Intel before Cooper Lake), TensorFlow emulates it, and the quickstart's steps
ran 9x slower than float32 (docs/PERFORMANCE.md). Where the file is absent or unreadable
(macOS, Windows), nothing is native.
"""

from __future__ import annotations

BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_fields(key: str, path: str = "/proc/cpuinfo") -> list[str]:
    """The values of every ``key: value`` line (one per processor, e.g. ``model name``);
    empty where the file is absent or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    return [value.strip() for name, _, value in (line.partition(":") for line in lines)
            if name.strip() == key]


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset[str]:
    """The instruction-set flags the kernel lists for this CPU; empty where it lists none."""
    return frozenset(flag for value in cpu_fields("flags", path) for flag in value.split())


def native_bfloat16(path: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU computes bfloat16 in hardware (AVX512_BF16 or AMX-BF16)."""
    return not cpu_flags(path).isdisjoint(BFLOAT16_FLAGS)
