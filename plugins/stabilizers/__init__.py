"""Stabilizers of the adversarial game: spectral normalization of the discriminator and
differentiable augmentation of its inputs with an ADA-adapted strength (docs/ROBUSTNESS.md)."""

from simgan.plugins.stabilizers import ada, diff_augment, spectral_norm  # noqa: F401
