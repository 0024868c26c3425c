"""Command-line tools built on the simgan core."""
