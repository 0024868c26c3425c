"""Regenerates docs/images/simulator_domains.png and the eye simulator's domain-gap numbers.

  python -m simgan.tools.simulator_figure \
      --real ../shared/data/mpiigaze_real/unlabeled_train.npz \
      --figure docs/images/simulator_domains.png

Prints two markdown tables for docs/SIMULATOR.md: how far each simulator domain is from the real
MPIIGaze crops (lower is closer), and the gaze error of a ridge regressor on pixels trained on
one domain and tested on each (the domain gap). The tests import the measures from here.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf
from absl import flags

from simgan.io import figures
from simgan.io.tables import markdown_table
from simgan.plugins.eyes.angles import angles_from_gaze, gaze_from_angles
from simgan.plugins.eyes.simulator import DOMAINS, eye_simulator
from simgan.plugins.gaze.angles import angular_error_deg
from simgan.tools import cli

HEIGHT, WIDTH = 35, 55
BINS = 32


def load_real(path: str, height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """MPIIGaze crops (npz 'images', uint8 [N, h, w]) resized (bilinear) to [N, H, W] in [-1, 1]."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file (expected MPIIGaze crops in an .npz)")
    with np.load(path) as data:
        if "images" not in data:
            raise ValueError(f"{path}: no 'images' array; keys are {sorted(data.keys())}")
        images = data["images"]
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{path}: 'images' must be uint8 [N, H, W]; got {images.dtype} "
                         f"{images.shape}")
    resized = tf.image.resize(images[..., None].astype(np.float32), [height, width],
                              method="bilinear", antialias=True)
    return (resized.numpy()[..., 0] / 127.5 - 1.0).clip(-1.0, 1.0)


def render(domain: str, seed: int, num: int) -> tuple[np.ndarray, np.ndarray]:
    """``num`` simulator images [N, H, W] in [-1, 1] and their gaze vectors [N, 3]."""
    batch = next(iter(eye_simulator(seed=seed, domain=domain, num_examples=num).batch(num)))
    return batch["image"].numpy()[..., 0], batch["gaze"].numpy()


def _gradient_magnitude(images: np.ndarray) -> np.ndarray:
    dy = np.diff(images, axis=1)[:, :, :-1]
    dx = np.diff(images, axis=2)[:, :-1, :]
    return np.sqrt(dx ** 2 + dy ** 2)


def _radial_spectrum(images: np.ndarray) -> np.ndarray:
    """Mean power spectrum of the images, averaged over rings of radial frequency, summing to 1."""
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(centred)) ** 2).mean(0)
    fy = np.fft.fftfreq(images.shape[1])[:, None]
    fx = np.fft.fftfreq(images.shape[2])[None, :]
    ring = np.minimum((np.sqrt(fx ** 2 + fy ** 2) / 0.5 * 16).astype(int), 16)
    spectrum = np.bincount(ring.ravel(), power.ravel()) / np.bincount(ring.ravel())
    return spectrum / spectrum.sum()


def _image_features(images: np.ndarray) -> np.ndarray:
    """Per-image summary statistics [N, F]: intensity and gradient histograms, radial spectrum."""
    intensity = np.stack([np.histogram(x, BINS, (-1, 1))[0] for x in images]) / images[0].size
    gradients = _gradient_magnitude(images)
    gradient = np.stack([np.histogram(g, BINS, (0, 2))[0] for g in gradients]) / gradients[0].size
    spectra = np.log(np.stack([_radial_spectrum(x[None]) for x in images]) + 1e-8)
    return np.concatenate([intensity, gradient, spectra], 1)


def _ridge(features: np.ndarray, targets: np.ndarray, l2: float):
    """Fits standardised ridge regression; returns the predictor."""
    mean, scale = features.mean(0), features.std(0) + 1e-6

    def design(x):
        return np.concatenate([(x - mean) / scale, np.ones((len(x), 1))], 1)

    a = design(features)
    weights = np.linalg.solve(a.T @ a + l2 * np.eye(a.shape[1]), a.T @ targets)
    return lambda x: design(x) @ weights


def realism_distances(images: np.ndarray, real: np.ndarray, seed: int = 0) -> dict[str, float]:
    """How far ``images`` are from ``real`` (both [N, H, W] in [-1, 1]); lower is closer.

    intensity_tv / gradient_tv: total-variation distance of the pooled intensity / gradient
    magnitude histograms; spectrum_log_rmse: RMS difference of the log mean radial power spectra;
    classifier_accuracy: held-out accuracy of a linear real-vs-these classifier on per-image
    histograms and spectra (0.5 = indistinguishable).
    """
    def tv(a, b, value_range):
        ha = np.histogram(a, BINS, value_range)[0] / a.size
        hb = np.histogram(b, BINS, value_range)[0] / b.size
        return 0.5 * float(np.abs(ha - hb).sum())

    spectrum = np.log(_radial_spectrum(images)) - np.log(_radial_spectrum(real))
    num = min(len(images), len(real))
    features = _image_features(np.concatenate([images[:num], real[:num]]))
    labels = np.concatenate([np.zeros(num), np.ones(num)])
    order = np.random.default_rng(seed).permutation(2 * num)
    train, test = order[:num], order[num:]
    predict = _ridge(features[train], labels[train] * 2 - 1, l2=1.0)
    accuracy = float(np.mean((predict(features[test]) > 0) == (labels[test] > 0)))
    return {"intensity_tv": tv(images, real, (-1, 1)),
            "gradient_tv": tv(_gradient_magnitude(images), _gradient_magnitude(real), (0, 2)),
            "spectrum_log_rmse": float(np.sqrt(np.mean(spectrum ** 2))),
            "classifier_accuracy": accuracy}


def fit_gaze_regressor(images: np.ndarray, gaze: np.ndarray, l2: float = 100.0):
    """Ridge regression from pixels to (yaw, pitch); returns images [N, H, W] -> gaze [N, 3]."""
    angles = np.stack([a.numpy() for a in angles_from_gaze(gaze)], -1)
    predict = _ridge(images.reshape(len(images), -1), angles, l2)

    def gaze_of(x: np.ndarray) -> np.ndarray:
        yaw_pitch = predict(x.reshape(len(x), -1))
        return gaze_from_angles(yaw_pitch[:, 0], yaw_pitch[:, 1]).numpy()

    return gaze_of


def domain_gap(num_train: int, num_test: int, seed: int = 0) -> dict[tuple[str, str], float]:
    """Mean angular error (degrees) of a ridge gaze regressor for each (train, test) domain pair.

    The ('mean gaze', test) entries are the baseline of always predicting the training mean
    (both domains share their labels, so there is one such baseline).
    """
    test = {d: render(d, seed + 1, num_test) for d in DOMAINS}
    errors = {}
    for train_domain in DOMAINS:
        images, gaze = render(train_domain, seed, num_train)
        predict = fit_gaze_regressor(images, gaze)
        for test_domain, (test_images, test_gaze) in test.items():
            errors[train_domain, test_domain] = float(
                np.mean(angular_error_deg(predict(test_images), test_gaze)))
    mean_gaze = gaze.mean(0) / np.linalg.norm(gaze.mean(0))
    for test_domain, (_, test_gaze) in test.items():
        errors["mean gaze", test_domain] = float(
            np.mean(angular_error_deg(np.broadcast_to(mean_gaze, test_gaze.shape), test_gaze)))
    return errors


def write_figure(path: str, real: np.ndarray, columns: int = 8, seed: int = 0) -> None:
    """PNG grid at ``path``: rows synthetic, real_like (same labels) and real crops; ``columns``
    each."""
    rows = [render(d, seed, columns)[0] for d in DOMAINS]
    rows.append(real[np.random.default_rng(seed).choice(len(real), columns, replace=False)])
    names = ("synthetic", "real_like", "MPIIGaze")
    fig = figures.figure(columns * WIDTH * 3 / 100 + 0.8, len(rows) * HEIGHT * 3 / 100)
    grid = fig.subplots(len(rows), columns, squeeze=False)
    for r, (name, images) in enumerate(zip(names, rows)):
        for c, image in enumerate(images):
            axes = grid[r, c]
            axes.imshow(image, cmap="gray", vmin=-1.0, vmax=1.0, interpolation="nearest")
            axes.set_xticks([])
            axes.set_yticks([])
        grid[r, 0].set_ylabel(name)
    figures.save_figure(fig, path)


def _run(argv: list[str]) -> None:
    cli.no_arguments(argv)
    cfg = flags.FLAGS
    real = load_real(cfg.real)
    write_figure(cfg.figure, real, seed=cfg.seed)
    print(f"wrote {cfg.figure}\n")
    rows = []
    for domain in DOMAINS:
        d = realism_distances(render(domain, cfg.seed, cfg.num_realism)[0], real, cfg.seed)
        rows.append([domain, *(f"{d[k]:.3f}" for k in ("intensity_tv", "gradient_tv",
                                                         "spectrum_log_rmse",
                                                         "classifier_accuracy"))])
    print(markdown_table(["domain", "intensity TV", "gradient TV", "log-spectrum RMSE",
                          "real-vs-X accuracy"], rows))
    errors = domain_gap(cfg.num_train, cfg.num_test, cfg.seed)
    print()
    print(markdown_table(["trained on \\ tested on", *DOMAINS],
                         [[train, *(f"{errors[train, t]:.1f}" for t in DOMAINS)]
                          for train in (*DOMAINS, "mean gaze")]))


def define_flags() -> None:
    flags.DEFINE_string("real", "../shared/data/mpiigaze_real/unlabeled_train.npz",
                        "MPIIGaze crops (.npz, key 'images').")
    flags.DEFINE_string("figure", "docs/images/simulator_domains.png", "Output PNG.")
    cli.define_seed("the simulator")
    flags.DEFINE_integer("num_realism", 2400, "Simulator images compared with the real ones.")
    flags.DEFINE_integer("num_train", 5000, "Training images per domain for the gaze regressor.")
    flags.DEFINE_integer("num_test", 2000, "Test images per domain for the gaze regressor.")


def main() -> None:
    cli.run("simulator_figure", define_flags, _run)


if __name__ == "__main__":
    main()
