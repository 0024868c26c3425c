"""How little of an eye image does the C2ST judge need to tell the simulator from the crops?

Scores real MPIIGaze *training* crops against raw `real_like` simulator eyes (and refined ones)
with the `c2st` evaluator's own classifier (400 + 400 to train, 264 + 264 to test, seed 0) on
views that keep only a few numbers of each image, spread back over its 35x55 frame: its mean,
its sorted pixel values (the histogram, no layout), its row profile (the mean of each row, 35
numbers), its column profile (55) and a 5x8 thumbnail; then, as a check that needs no CNN, a
logistic regression (scikit-learn, standardised inputs) on the row profile's 35 numbers, on the
same split. Training crops only: the held-out crops are for reporting (docs/RESULTS.md).

    python docs/results/real_eyes/coarse_views.py \
        ../shared/data/mpiigaze_real/unlabeled_train.npz [refiner.keras ...]

prints a Markdown table (docs/results/real_eyes/coarse_views.md).
"""
import sys

import numpy as np
import tensorflow as tf
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import simgan
from realism_views import scores, simulator_eyes, training_crops, TRAIN


def spread(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` broadcast back over each image's frame ``shape``, as a real array."""
    return np.ascontiguousarray(np.broadcast_to(values, shape))


VIEWS = {
    "mean": lambda x: spread(x.mean((1, 2), keepdims=True), x.shape),
    "histogram (sorted pixels)": lambda x: np.sort(x.reshape(len(x), -1), 1).reshape(x.shape),
    "row profile": lambda x: spread(x.mean(2, keepdims=True), x.shape),
    "column profile": lambda x: spread(x.mean(1, keepdims=True), x.shape),
    "5x8 thumbnail": lambda x: tf.image.resize(tf.image.resize(x, [5, 8], antialias=True),
                                              x.shape[1:3]).numpy(),
}


def row_profile_logistic(real: np.ndarray, fake: np.ndarray) -> float:
    """Test accuracy of a logistic regression on each image's 35 row means, real vs ``fake``."""
    rows = np.concatenate([real[..., 0].mean(2), fake[..., 0].mean(2)])
    labels = np.r_[np.ones(len(real)), np.zeros(len(fake))]
    train = np.r_[np.arange(TRAIN), len(real) + np.arange(TRAIN)]
    test = np.setdiff1d(np.arange(len(rows)), train)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return model.fit(rows[train], labels[train]).score(rows[test], labels[test])


def main(real_path: str, refiners: list[str]) -> None:
    real, raw = training_crops(real_path), simulator_eyes(domain="real_like")
    columns = [*VIEWS, "row profile, logistic regression"]
    print("| vs real training crops | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, fake in [("raw real_like", raw)] + [
            (f"`{path}`", np.asarray(simgan.load_refiner(path)(raw))) for path in refiners]:
        cells = scores(real, fake, VIEWS) + [f"{row_profile_logistic(real, fake):.3f}"]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
