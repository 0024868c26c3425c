"""`import simgan`: the version from the installed metadata, and no TensorFlow imported."""

import subprocess
import sys
from importlib import metadata


def test_version_is_the_distribution_version():
    import simgan
    assert simgan.__version__ == metadata.version("simgan")


def test_import_is_light_and_python_m_simgan_prints_the_version():
    code = "import sys, simgan; print(simgan.__version__, 'tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == [metadata.version("simgan"), "False"], done.stderr
    done = subprocess.run([sys.executable, "-m", "simgan", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.stdout == f"simgan {metadata.version('simgan')}\n", done.stderr
