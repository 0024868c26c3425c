"""Realism and GAN metrics as evaluators: a classifier two-sample test (`c2st`), FID (`fid`),
KID (`kid`) and precision/recall/density/coverage (`prdc`), the last three in a chosen feature
space (InceptionV3 from a local weights file, a domain classifier trained here, or pixels)."""

from simgan.plugins.metrics import fid, kid, prdc, turing_classifier  # noqa: F401
