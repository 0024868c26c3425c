"""Components backed by TensorFlow C++ custom ops, each with a pure-TF fallback
(docs/CUSTOM_OPS.md)."""

from simgan.plugins.ops import fused_adversarial  # noqa: F401
