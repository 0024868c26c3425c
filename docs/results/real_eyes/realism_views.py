"""What gives refined eyes away to the C2ST judge: their layout or their texture?

Scores real MPIIGaze *training* crops against raw and refined synthetic eyes with the `c2st`
evaluator's own classifier (400 + 400 to train, 264 + 264 to test, seed 0) on three views of
the same images: as they are, their low frequencies only (a 5x5 box blur: layout, shape and
lighting) and their high frequencies only (the image minus that blur: texture, edges and
noise). Training crops only: the held-out crops are for reporting (docs/RESULTS.md).

    python docs/results/real_eyes/realism_views.py \
        ../shared/data/mpiigaze_real/unlabeled_train.npz \
        runs/mpiigaze/eyes_mpiigaze_real_cpu__seed=0/export/refiner.keras [more refiners ...]

prints a Markdown table (docs/results/real_eyes/realism_views.md).
"""
import sys

import numpy as np
import tensorflow as tf

import simgan
from simgan.plugins.eyes.arrays import image_array
from simgan.plugins.eyes.simulator import eye_simulator
from simgan.plugins.metrics.turing_classifier import turing_test

TRAIN, TEST = 400, 264


def low(images: np.ndarray) -> np.ndarray:
    """A 5x5 box blur with reflected borders."""
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    return tf.nn.avg_pool2d(padded, 5, 1, "VALID").numpy()


VIEWS = {"image": lambda x: x, "low frequencies (5x5 blur)": low,
         "high frequencies (image - blur)": lambda x: x - low(x)}


def training_crops(path: str) -> np.ndarray:
    """The first TRAIN + TEST real crops of ``path`` (seed 0), [N, H, W, 1] in [-1, 1]."""
    return np.stack([e["image"].numpy()
                     for e in image_array(seed=0, path=path).take(TRAIN + TEST)])


def simulator_eyes(**kwargs) -> np.ndarray:
    """TRAIN + TEST raw simulator eyes of seed 123, drawn with ``eye_simulator(**kwargs)``."""
    return np.stack([e["image"].numpy()
                     for e in eye_simulator(seed=123, num_examples=TRAIN + TEST, **kwargs)])


def scores(real: np.ndarray, fake: np.ndarray, views: dict = VIEWS) -> list[str]:
    """C2ST accuracy [95% Wilson interval], real vs ``fake``, on each of ``views``."""
    cells = []
    for view in views.values():
        r, f = view(real), view(fake)
        accuracy, low_end, high_end = turing_test(r[:TRAIN], r[TRAIN:], f[:TRAIN], f[TRAIN:],
                                                  seed=0)
        cells.append(f"{accuracy:.3f} [{low_end:.3f}, {high_end:.3f}]")
    return cells


def main(real_path: str, refiners: list[str]) -> None:
    real = training_crops(real_path)
    synthetic = simulator_eyes(domain="synthetic")
    print("| vs real training crops | " + " | ".join(VIEWS) + " |")
    print("|---" * (len(VIEWS) + 1) + "|")
    print("| raw synthetic | " + " | ".join(scores(real, synthetic)) + " |")
    for path in refiners:
        print(f"| `{path}` | " + " | ".join(scores(real, simgan.load_refiner(path)(synthetic)))
              + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
