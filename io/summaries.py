"""TensorBoard for one run: scalars, image grids (also PNG files on disk), the operative gin
config, HParams, and evaluation results as one table per evaluation with the evaluators' plots.
"""

from __future__ import annotations

import os
import re
from typing import Mapping

import gin
import numpy as np
import tensorflow as tf
from gin import config_parser
from tensorboard.plugins.hparams import api as hp

from simgan.io import files
from simgan.io.figures import labelled_grid, write_png
from simgan.io.report import evaluation_table, is_spread

HParamValue = bool | int | float | str


def scalar_bindings(config: str) -> dict[str, HParamValue]:
    """The bindings of a gin config text whose values are scalars (bool, number, string), by
    ``scope/configurable.parameter`` (a macro by its name); lists, references and macros as
    values are left out, as HParams hold scalars only."""
    bindings = {}
    for statement in config_parser.ConfigParser(config, gin.config.ParserDelegate(
            skip_unknown=True)):
        if not isinstance(statement, config_parser.BindingStatement):
            continue
        if isinstance(statement.value, (bool, int, float, str)):
            name = ".".join(p for p in (statement.selector, statement.arg_name) if p)
            bindings["/".join(p for p in (statement.scope, name) if p)] = statement.value
    return bindings


def _code_block(text: str) -> str:
    """``text`` as a fenced Markdown code block, the fence longer than any backtick run in it."""
    fence = "`" * max(3, max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence}\n{text}\n{fence}"


class Summaries:
    """Writes one run's TensorBoard events to ``model_dir`` and its grids to ``model_dir/grids``."""

    CONFIG_TAG = "config/operative_gin"
    RESULTS_TAG = "eval/results"

    def __init__(self, model_dir: str):
        self.model_dir = model_dir
        self.writer = tf.summary.create_file_writer(model_dir)
        self._hparams: dict[str, HParamValue] | None = None
        self._experiment_written = False

    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        with self.writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.scalar(name, value)
        self.writer.flush()

    def grid(self, step: int, rows: list[np.ndarray], name: str = "synthetic_refined_real") -> str:
        """Logs equally shaped uint8 batches ``[N, H, W, C]`` as one labelled grid (a row per
        batch; io/figures.py) and writes ``grids/step_XXXXXX.png``; returns its path."""
        grid = labelled_grid(rows)
        with self.writer.as_default(step=step):
            tf.summary.image(name, grid[None], step=step)
        self.writer.flush()
        path = files.join(self.model_dir, "grids", f"step_{step:06d}.png")
        write_png(path, grid)
        return path

    def config(self, step: int, operative_config: str) -> None:
        """The run's operative gin config (``gin.operative_config_str()``) as a Markdown code
        block in the Text tab, and its scalar bindings as the run's HParams session (runs with
        the same values form one group, e.g. seeds of one setting)."""
        self._hparams = scalar_bindings(operative_config)
        with self.writer.as_default(step=step):
            tf.summary.text(self.CONFIG_TAG, _code_block(operative_config.strip()))
            hp.hparams(self._hparams)
        self.writer.flush()

    def evaluation(self, step: int, results: Mapping[str, float],
                   plots_dir: str | None = None) -> None:
        """One evaluation's results, ``<evaluator>/<source>/<metric>`` keys: the main scalar of
        each metric as ``eval/<key>`` (spreads, ``_std``/``_se``/``_ci_*``, are not cards of
        their own), one Markdown table ``eval/results`` with the spreads in the cells
        (``0.91 [0.88, 0.93]``), and the PNG plots evaluators wrote for this step under
        ``plots_dir`` (``<plots_dir>/<evaluator>/step_XXXXXX[_<name>].png``) as images
        ``eval/<evaluator>/<name or 'plot'>``. The first call after ``config`` also writes the
        HParams experiment: the config's bindings against these main scalars as metrics."""
        main = {f"eval/{k}": v for k, v in results.items() if not is_spread(k, results)}
        with self.writer.as_default(step=step):
            for tag, value in main.items():
                tf.summary.scalar(tag, value)
            tf.summary.text(self.RESULTS_TAG, evaluation_table(results))
            for tag, image in self._plots(step, plots_dir):
                tf.summary.image(tag, image[None])
            if self._hparams is not None and not self._experiment_written:
                hp.hparams_config(hparams=[hp.HParam(name) for name in sorted(self._hparams)],
                                  metrics=[hp.Metric(tag) for tag in sorted(main)])
                self._experiment_written = True
        self.writer.flush()

    @staticmethod
    def _plots(step: int, plots_dir: str | None) -> list[tuple[str, tf.Tensor]]:
        """(tag, decoded image) of each evaluator plot for ``step`` under ``plots_dir``."""
        if plots_dir is None:
            return []
        prefix = f"step_{step:06d}"
        plots = []
        for path in sorted(tf.io.gfile.glob(files.join(plots_dir, "*", f"{prefix}*.png"))):
            evaluator = os.path.basename(os.path.dirname(path))
            name = os.path.basename(path)[len(prefix):-len(".png")].lstrip("_") or "plot"
            plots.append((f"eval/{evaluator}/{name}", tf.io.decode_png(tf.io.read_file(path))))
        return plots
