"""The domain suite: sim -> real dataset pairs for choosing defaults across domains (eyes at
other resolutions and real-set sizes, eyes -> real MPIIGaze crops, oriented edges -> photo
crops, font letters -> hand-drawn-looking ones), the downstream-task evaluator that measures
whether refinement pays off (docs/ROBUSTNESS.md), and ``label_recovery``, which asks whether
refined images still carry their synthetic labels without any real label (docs/EVALUATION.md)."""

from simgan.plugins.domains import (  # noqa: F401
    evaluator, eyes, glyphs, label_recovery, mpiigaze, orientation)
