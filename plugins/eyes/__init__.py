"""Eye-image datasets: the built-in procedural simulator and readers of UnityEyes, MPIIGaze,
HDF5, image folders, image arrays and the converted TFRecord format."""

from simgan.plugins.eyes import (  # noqa: F401
    arrays, hdf5, image_folder, mpiigaze, simulator, tfrecord, unityeyes)
