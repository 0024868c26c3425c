"""Named seed streams: one table of what each offset of the run's ``--seed`` draws, so no two
consumers draw the same numbers by accident."""

from __future__ import annotations

# stream -> offset added to the run's seed. The synthetic data and the buffer share offset 0
# (different generators: stateless dataset ops vs the buffer's tf.random.Generator).
STREAMS = {
    "synthetic_data": 0,
    "real_data": 1,
    "buffer": 0,
    "evaluation": 0,
    "validation_draw": 303,
    "estimator_training": 304,
}


def stream(seed: int, name: str) -> int:
    """The seed of stream ``name`` for a run seeded ``seed``."""
    try:
        return seed + STREAMS[name]
    except KeyError:
        raise KeyError(f"seeds: unknown stream {name!r}; known: {sorted(STREAMS)}") from None
