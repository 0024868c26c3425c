"""The visual Turing test: a local web app for the paper's real-vs-refined user study.

images.py reads the two image folders, study.py draws each participant's sequence, store.py keeps
every answer durably in SQLite, stats.py computes the paper-style report, app.py serves the study
and cli.py (`simgan-vtt`) starts it or prints the report.
"""
