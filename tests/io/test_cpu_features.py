"""The CPU's bfloat16 support is read from the kernel's flag lines, and absent without them."""

from simgan.io import cpu_features

AVX2_ONLY = """processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu sse sse2 avx avx2 fma
processor\t: 1
flags\t\t: fpu sse sse2 avx avx2 fma
"""
SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"


def test_flags_of_every_processor_are_read(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(AVX2_ONLY)
    assert cpu_features.cpu_flags(str(path)) == {"fpu", "sse", "sse2", "avx", "avx2", "fma"}
    assert not cpu_features.native_bfloat16(str(path))
    assert cpu_features.cpu_fields("vendor_id", str(path)) == ["AuthenticAMD"]


def test_avx512_bf16_or_amx_is_native_bfloat16(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(SAPPHIRE_RAPIDS)
    assert cpu_features.native_bfloat16(str(path))
    path.write_text("flags\t: avx2 amx_bf16\n")
    assert cpu_features.native_bfloat16(str(path))


def test_no_cpuinfo_means_nothing_native(tmp_path):
    assert cpu_features.cpu_flags(str(tmp_path / "absent")) == frozenset()
    assert not cpu_features.native_bfloat16(str(tmp_path / "absent"))
