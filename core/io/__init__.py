"""File services of the framework: gfile paths and atomic writes, the model-dir lock, read
errors that name their file, figures and tables, and the exported generator format."""
