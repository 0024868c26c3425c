"""Realism metrics: the automated visual Turing test and KID on features learned here."""

from simgan.plugins.metrics import kid, turing_classifier  # noqa: F401
