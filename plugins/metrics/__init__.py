"""Realism metrics: a classifier two-sample test (`c2st`) and KID on features learned here
(`classifier_kid`)."""

from simgan.plugins.metrics import kid, turing_classifier  # noqa: F401
