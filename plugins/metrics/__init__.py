"""Realism and GAN metrics as evaluators: a classifier two-sample test (`c2st`), FID (`fid`),
KID (`kid`), precision/recall/density/coverage (`prdc`) and a memorisation check
(`nearest_real`), the last four in a chosen feature space (InceptionV3 from a local weights
file, a domain classifier trained here, or pixels)."""

from simgan.plugins.metrics import (fid, kid, nearest_real, prdc,  # noqa: F401
                                    turing_classifier)
