"""Compiles the fused op library once per session (about 20 s) into a temporary cache."""

import pytest

from simgan.plugins.ops import build as custom_ops
from simgan.plugins.ops import fused_adversarial


@pytest.fixture(scope="session")
def op_cache(tmp_path_factory) -> str:
    """A cache directory holding the built library."""
    cache = str(tmp_path_factory.mktemp("ops_cache"))
    custom_ops.build(fused_adversarial.LIBRARY, cache)
    return cache


@pytest.fixture
def op_loss(op_cache, monkeypatch):
    """Builds `fused_local_adversarial` with the compiled op (asserts it was taken)."""
    monkeypatch.setenv(custom_ops.CACHE_ENV, op_cache)

    def make(reduction: str = "sum"):
        loss = fused_adversarial.fused_local_adversarial(reduction=reduction)
        assert loss.implementation == fused_adversarial.CUSTOM_OP
        return loss

    return make
