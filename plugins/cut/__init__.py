"""CUT (Park et al., ECCV 2020): the `cut` task and the PatchNCE loss terms (`patchnce`,
`cut_identity`), which also serve as refiner terms in S+U."""

from simgan.plugins.cut import patchnce, task  # noqa: F401
