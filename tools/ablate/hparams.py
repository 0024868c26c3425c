"""TensorBoard HParams for a grid: `tensorboard --logdir <root>/summary/hparams` compares every
finished run by variant, swept values and seed against its final metrics.

Each run gets its own log dir holding its hparams summary and its final metrics as scalars at
one step, so the view is rebuilt from scratch (idempotent) each time the summary is written and
never touches the runs' own event files.
"""

from __future__ import annotations

import os
import shutil
from typing import Sequence

import tensorflow as tf
from tensorboard.plugins.hparams import api as hp

HPARAMS_DIR = "hparams"
VARIANT, SEED = "variant", "seed"


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def write(log_dir: str, records: Sequence[dict]) -> list[str]:
    """Writes the experiment config at ``log_dir`` and one session per finished run; returns the
    metric tags."""
    done = [r for r in records if r["status"] == "done"]
    if os.path.isdir(log_dir):
        shutil.rmtree(log_dir)
    os.makedirs(log_dir)
    if not done:
        return []
    sweep_keys = sorted({k for r in done for k in r["sweep"]})
    values = {k: sorted({_value(r["sweep"][k]) for r in done if k in r["sweep"]}, key=str)
              for k in sweep_keys}
    params = {VARIANT: hp.HParam(VARIANT, hp.Discrete(sorted({r["variant"] for r in done}))),
              SEED: hp.HParam(SEED, hp.Discrete(sorted({r["seed"] for r in done})))}
    for key in sweep_keys:
        kinds = {type(v) for v in values[key]}
        params[key] = hp.HParam(key, hp.Discrete(values[key]) if len(kinds) == 1 else None)
    tags = sorted({k for r in done for k in r["metrics"]})
    with tf.summary.create_file_writer(log_dir).as_default():
        hp.hparams_config(hparams=list(params.values()),
                          metrics=[hp.Metric(t, display_name=t) for t in tags])
    for record in done:
        chosen = {VARIANT: record["variant"], SEED: record["seed"]}
        chosen.update({k: _value(v) if len({type(x) for x in values[k]}) == 1 else v
                       for k, v in record["sweep"].items()})
        with tf.summary.create_file_writer(os.path.join(log_dir, record["run"])).as_default():
            hp.hparams({params[k]: v for k, v in chosen.items()}, trial_id=record["run"])
            for tag, value in record["metrics"].items():
                tf.summary.scalar(tag, value, step=0)
    return tags
