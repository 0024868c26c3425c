"""simgan: a plugin-based GAN experimentation framework on TensorFlow; SimGAN (S+U learning,
Shrivastava et al., CVPR 2017) first.

`import simgan` stays light (no TensorFlow): the Python API (docs/API.md) is imported on first
use, each function from its own module (PEP 562). The engine, its run-folder I/O, the gin files
and their checks, plugins and tools are the subpackages `simgan.core`, `simgan.io`,
`simgan.configs`, `simgan.plugins` and `simgan.tools` (docs/ARCHITECTURE.md); the commands
are `simgan <command>` (`simgan --help`) or `python -m simgan <command>`.
"""

from importlib import import_module, metadata

__version__: str = metadata.version("simgan")

_API = {"train": "simgan.training", "load_refiner": "simgan.refining",
        "refine": "simgan.refining"}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'simgan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
