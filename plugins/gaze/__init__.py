"""Gaze estimation: the paper's estimator, the gaze experiment and label-preservation evaluators."""

from simgan.plugins.gaze import evaluator, label_preservation  # noqa: F401
