"""Installs the distribution `simgan`.

The import names `simgan.core`, `simgan.plugins`, `simgan.tools` and `simgan.configs` map onto
the top-level folders core/, plugins/, tools/ and configs/; `simgan` itself is a namespace
package, so no top-level module named `core` or `plugins` lands in site-packages.
"""

from setuptools import find_packages, setup

FOLDERS = ("core", "plugins", "tools", "configs")


def _packages():
    packages, package_dir = ["simgan"], {"simgan": "api"}  # `import simgan`: the Python API
    for folder in FOLDERS:
        package_dir[f"simgan.{folder}"] = folder
        packages.append(f"simgan.{folder}")
        for sub in find_packages(folder):
            packages.append(f"simgan.{folder}.{sub}")
            package_dir[f"simgan.{folder}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
    return packages, package_dir


PACKAGES, PACKAGE_DIR = _packages()

setup(
    name="simgan",
    version="0.1.0",
    description="Plugin-based GAN experimentation framework; SimGAN (S+U learning) first.",
    python_requires=">=3.10",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={
        "simgan.configs": ["*.gin", "**/*.gin"],
        "simgan.tools.vtt": ["templates/*.html", "static/*"],
        "simgan.plugins.ops": ["*.cc"],
    },
    include_package_data=True,
    install_requires=[
        "tensorflow>=2.21,<2.22",
        "keras>=3",
        "gin-config>=0.5",
        "absl-py>=2.0",
        "numpy",
        "scipy",
        "tensorboard",
        "pillow",
        "matplotlib>=3.7",
    ],
    # Optional parts; a missing one fails naming its extra (core/extras.py). The test extra
    # pulls in all of them, so `pip install -e ".[test]"` sets up everything.
    extras_require={
        "hdf5": ["h5py"],
        "vtt": ["flask>=3.0"],
        "suite": ["scikit-learn"],
        "all": ["simgan[hdf5,vtt,suite]"],
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],
        "test": ["simgan[all]", "pytest>=8", "pytest-benchmark>=4", "playwright>=1.49,<2",
                 "pyyaml"],
    },
    entry_points={
        "console_scripts": [
            "simgan-train=simgan.core.train:run",
            "simgan-components=simgan.core.components:run",
            "simgan-vtt=simgan.tools.vtt.cli:run",
            "simgan-convert=simgan.tools.convert:run",
            "simgan-build-ops=simgan.tools.build_ops:run",
            "simgan-ablate=simgan.tools.ablate.cli:run",
            "simgan-eval=simgan.tools.evaluate:run",
            "simgan-refine=simgan.tools.refine:run",
        ],
        # The built-in plugins load through the same entry-point group as third-party ones.
        "simgan.plugins": [
            "simgan=simgan.plugins.simgan",
            "cut=simgan.plugins.cut",
            "eyes=simgan.plugins.eyes",
            "gaze=simgan.plugins.gaze",
            "metrics=simgan.plugins.metrics",
            "ops=simgan.plugins.ops",
            "domains=simgan.plugins.domains",
            "stabilizers=simgan.plugins.stabilizers",
        ],
    },
)
