"""Named seed streams: one table of what each offset of the run's ``--seed`` draws, so no two
consumers draw the same numbers by accident (before 0.2, offset 303 was both the gaze
evaluator's validation draw and label preservation's estimator training draw)."""

from __future__ import annotations

# stream -> offset added to the run's seed. Streams of different kinds of generator may share
# an offset (the synthetic data's stateless ops and the history buffer's tf.random.Generator).
STREAMS = {
    "synthetic_data": 0,
    "real_data": 1,
    "heldout_real_data": 2,  # a task's held-out real images (e.g. an overfitting signal)
    "buffer": 0,
    "evaluation": 0,
    # evaluators, added to the evaluation seed
    "gaze_train": 101,  # the gaze estimators' training draw
    "gaze_test": 202,  # the reported draw
    "gaze_validation": 303,  # the draw settings are chosen on
    "downstream_synthetic": 101,  # the suite's downstream models' synthetic draw (suite data)
    "label_heldout": 404,  # label preservation's held-out synthetic eyes
    "realism_real": 505,  # c2st/kid/fid/prdc: real images
    "realism_synthetic": 606,  # ... and synthetic ones
    "downstream_models": 505,  # the task models' initialisations (downstream, label_recovery)
    "label_estimator": 707,  # label preservation's fixed estimator's training draw
    "label_real": 808,  # label preservation's held-out eyes of the other domain
    "locator_draws": 909,  # ... the pupil locator's training draws, + i per domain
    "label_recovery": 1010,  # label recovery's synthetic draw (train and held-out parts)
}


def stream(seed: int, name: str) -> int:
    """The seed of stream ``name`` for a run seeded ``seed``."""
    try:
        return seed + STREAMS[name]
    except KeyError:
        raise KeyError(f"seeds: unknown stream {name!r}; known: {sorted(STREAMS)}") from None
