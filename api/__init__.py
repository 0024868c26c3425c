"""simgan: a plugin-based GAN experimentation framework on TensorFlow; SimGAN (S+U learning,
Shrivastava et al., CVPR 2017) first.

`import simgan` stays light (no TensorFlow): the Python API (docs/API.md) is imported on first
use, each function from its own module (PEP 562). The engine, plugins, tools and shipped configs
are the subpackages `simgan.core`, `simgan.plugins`, `simgan.tools` and `simgan.configs`; the
commands are `simgan <command>` (`simgan --help`) or `python -m simgan <command>`.
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
