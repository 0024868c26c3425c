"""Does matching the simulator's ranges to the real crops close the layout gap before refining?

Scores the real MPIIGaze *training* crops against raw simulator eyes drawn with other gaze and
nuisance ranges (`eye_simulator`'s ``yaw_range``, ``pitch_range`` and ``nuisance_ranges``),
with the `c2st` evaluator's classifier on the three views of realism_views.py (400 + 400 to
train, 264 + 264 to test, seed 0). The ranges were read off the training crops' mean image and
a grid of them (a narrower gaze spread, narrower lids, a larger iris, brighter skin); the
held-out crops are for reporting (docs/RESULTS.md). The last rows equalise each raw eye's
histogram fully, as MPIIGaze's crops are (their pixel values are uniform over [0, 255]).

    python docs/results/real_eyes/simulator_ranges.py ../shared/data/mpiigaze_real/unlabeled_train.npz

prints a Markdown table (docs/results/real_eyes/simulator_ranges.md).
"""
import sys

import numpy as np

from realism_views import scores, simulator_eyes, training_crops, VIEWS
from simgan.plugins.eyes.camera import equalize

NARROW_GAZE = {"yaw_range": (-15.0, 15.0), "pitch_range": (-20.0, 5.0)}
NARROW_LIDS = {"upper_lid": (0.30, 0.45), "lower_lid": (0.20, 0.32), "iris_ratio": (0.60, 0.70)}
BRIGHT_SKIN = {"skin_tone": (0.70, 0.95), "iris_tone": (0.03, 0.15)}
SETTINGS = {  # row -> (eye_simulator's keyword arguments, equalise each raw eye fully?)
    "synthetic (shipped ranges)": ({"domain": "synthetic"}, False),
    "real_like (shipped ranges)": ({"domain": "real_like"}, False),
    "real_like, gaze yaw ±15, pitch -20..5": ({"domain": "real_like", **NARROW_GAZE}, False),
    "real_like, that gaze, narrower lids, larger iris": (
        {"domain": "real_like", **NARROW_GAZE, "nuisance_ranges": NARROW_LIDS}, False),
    "real_like, that gaze and lids, brighter skin, darker iris": (
        {"domain": "real_like", **NARROW_GAZE,
         "nuisance_ranges": {**NARROW_LIDS, **BRIGHT_SKIN}}, False),
    "synthetic, each eye histogram-equalised": ({"domain": "synthetic"}, True),
    "real_like, each eye histogram-equalised fully": ({"domain": "real_like"}, True),
}


def equalised(images: np.ndarray) -> np.ndarray:
    """[N, H, W, 1] images in [-1, 1] equalised by the simulator's camera, back in [-1, 1]."""
    return equalize((images[..., 0] + 1.0) / 2.0).numpy()[..., None] * 2.0 - 1.0


def main(real_path: str) -> None:
    real = training_crops(real_path)
    print("| raw simulator eyes vs real training crops | " + " | ".join(VIEWS) + " |")
    print("|---" * (len(VIEWS) + 1) + "|")
    for name, (kwargs, equalise) in SETTINGS.items():
        fake = simulator_eyes(**kwargs)
        fake = equalised(fake) if equalise else fake
        print(f"| {name} | " + " | ".join(scores(real, fake)) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
