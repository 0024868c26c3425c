"""Device-resident pools: the ``pool`` dataset wrapper, its on-disk cache and the batch source
that draws each batch inside the compiled step."""

from simgan.plugins.pool import pool  # noqa: F401
