"""Realism and GAN metrics as evaluators: a classifier two-sample test (`c2st`), FID (`fid`)
and KID (`kid`), the last two in a chosen feature space (InceptionV3 from a local weights
file, a domain classifier trained here, or pixels)."""

from simgan.plugins.metrics import fid, kid, turing_classifier  # noqa: F401
