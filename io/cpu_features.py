"""What this machine's CPU computes natively, read from the Linux kernel's ``/proc/cpuinfo``.

The trainer asks it whether bfloat16 is native: with AVX512_BF16 or AMX-BF16, mixed bfloat16
is about 2x the steps per second of float32; without (AVX2-only CPUs: most AMD EPYC/Ryzen
before Zen 4, Intel before Cooper Lake), TensorFlow emulates it, and the quickstart's steps
ran 9x slower than float32 (docs/PERFORMANCE.md). Where the file is absent or unreadable
(macOS, Windows), nothing is native.
"""

from __future__ import annotations

BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset[str]:
    """The instruction-set flags the kernel lists for this CPU; empty where it lists none."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return frozenset()
    return frozenset(flag for line in lines if line.split(":")[0].strip() == "flags"
                     for flag in line.split(":", 1)[1].split())


def native_bfloat16(path: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU computes bfloat16 in hardware (AVX512_BF16 or AMX-BF16)."""
    return not cpu_flags(path).isdisjoint(BFLOAT16_FLAGS)
