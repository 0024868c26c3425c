"""Installs the distribution `simgan`.

The package `simgan` (the API, `simgan.__version__`, `python -m simgan`) is the folder api/; the
import names `simgan.core`, `simgan.io`, `simgan.configs`, `simgan.plugins` and `simgan.tools`
map onto the top-level folders of those names, so no top-level module named `core` or
`plugins` lands in site-packages. The version is set here only; the package reads it from the
installed metadata.
"""

import os

from setuptools import find_packages, setup

FOLDERS = ("core", "io", "configs", "plugins", "tools")
HERE = os.path.dirname(os.path.abspath(__file__))


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

with open(os.path.join(HERE, "README.md"), encoding="utf-8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="simgan",
    version="0.1.0",
    description="Plugin-based GAN experimentation framework; SimGAN (S+U learning) first.",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    author="The simgan developers",
    license_expression="Apache-2.0",
    license_files=["LICENSE"],
    project_urls={
        "Homepage": "https://github.com/simgan/simgan",
        "Source": "https://github.com/simgan/simgan",
        "Issues": "https://github.com/simgan/simgan/issues",
        "Changelog": "https://github.com/simgan/simgan/blob/main/CHANGELOG.md",
    },
    keywords=["gan", "simgan", "domain adaptation", "synthetic data", "tensorflow", "keras"],
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Console",
        "Environment :: GPU :: NVIDIA CUDA",
        "Intended Audience :: Science/Research",
        "Intended Audience :: Developers",
        "Operating System :: POSIX :: Linux",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Scientific/Engineering :: Image Processing",
    ],
    python_requires=">=3.10",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={
        "simgan.configs": ["*.gin", "**/*.gin"],
        "simgan.tools.vtt": ["templates/*.html", "static/*"],
        "simgan.plugins.ops": ["*.cc"],
    },
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
    # Optional parts; a missing one fails naming its extra (plugins/extras.py). The test extra
    # pulls in all of them, so `pip install -e ".[test]"` sets up everything.
    extras_require={
        "hdf5": ["h5py"],
        "vtt": ["flask>=3.0"],
        "suite": ["scikit-learn"],
        "all": ["simgan[hdf5,vtt,suite]"],
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],
        # build and setuptools: the packaging test builds the wheel offline (--no-isolation).
        "test": ["simgan[all]", "pytest>=8", "pytest-xdist>=3.5", "pytest-benchmark>=4",
                 "playwright>=1.49,<2",
                 "pyyaml", "build>=1.2", "setuptools>=77"],
    },
    entry_points={
        # `simgan <command>` (tools/main.py); each simgan-<command> is the same program.
        "console_scripts": [
            "simgan=simgan.tools.main:run",
            "simgan-train=simgan.tools.train:run",
            "simgan-components=simgan.tools.components:run",
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
            "pool=simgan.plugins.pool",
            "domains=simgan.plugins.domains",
            "stabilizers=simgan.plugins.stabilizers",
        ],
    },
)
