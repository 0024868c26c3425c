"""simgan: a plugin-based GAN experimentation framework on TensorFlow; SimGAN (S+U learning,
Shrivastava et al., CVPR 2017) first.

`import simgan` stays light (no TensorFlow): the engine, plugins, tools and shipped configs are
the subpackages `simgan.core`, `simgan.plugins`, `simgan.tools` and `simgan.configs`; the
commands are `simgan <command>` (`simgan --help`) or `python -m simgan <command>`.
"""

from importlib import metadata

__version__: str = metadata.version("simgan")

# The Python API (train, load_refiner, refine) goes here, each imported lazily from its own
# module by a module-level __getattr__ (PEP 562), so that importing simgan imports no TensorFlow.
