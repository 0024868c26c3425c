"""Stabilizers of the adversarial game: spectral normalization of the discriminator,
differentiable augmentation of its inputs with an ADA-adapted strength, and the gate that
skips its update while it already wins (docs/ROBUSTNESS.md)."""

from simgan.plugins.stabilizers import (  # noqa: F401
    ada, diff_augment, discriminator_gate, spectral_norm)
