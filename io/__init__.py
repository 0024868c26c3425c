"""The run folder: what a run writes and reads (files, lock, checkpoints, TensorBoard,
evaluation.json, provenance, the exported generator, figures and tables), atomically and with
errors that name the file. A library below the engine: it imports only simgan.configs."""
