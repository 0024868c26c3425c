"""The domain suite: sim -> real dataset pairs for choosing defaults across domains (eyes at
other resolutions and real-set sizes, eyes -> real MPIIGaze crops, oriented edges -> photo
crops, font letters -> hand-drawn-looking ones), and the downstream-task evaluator that
measures whether refinement pays off (docs/ROBUSTNESS.md)."""

from simgan.plugins.domains import (  # noqa: F401
    evaluator, eyes, glyphs, mpiigaze, orientation)
