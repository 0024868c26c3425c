"""How much of the glyph pair's gap is appearance (what a refiner can change) and how much is
geometry (what it should not)?

Trains the suite's downstream task model (plugins/domains/task_model.py, 500 steps, 3 seeds) on
2,000 letters of each kind and scores it on the 500 real *validation* letters of
``glyph_domains`` at 8x8: raw synthetic (font letters), appearance bridged (the font letters'
geometry with the real side's strokes, blur, ink and noise: ``glyphs.scanned``, the most an
ideal refiner could give), one style (the middle of that appearance for every letter, the most
a deterministic refiner could give), generic jitter (random brightness and noise, knowing
nothing of the real side) and the oracle (the 800 real training letters).

    python docs/results/glyphs/appearance_ceiling.py

prints a Markdown table (docs/results/glyphs/appearance_ceiling.md).
"""
import numpy as np
import tensorflow as tf

from simgan.core import data
from simgan.core.registries import DATASETS
from simgan.plugins.domains import glyphs, task_model

SIZE, COUNT, SEEDS = 8, 2000, (0, 1, 2)


def one_style(image: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The real side's middle appearance, the same for every letter (what a deterministic
    refiner, which cannot draw a style per image, could give at best): one dilation, the blur,
    ink at 0.775, no noise."""
    image = tf.nn.max_pool2d(image[None], 3, 1, "SAME")
    return tf.nn.avg_pool2d(image, 3, 1, "SAME")[0] * 0.775


def jitter(image: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """A generic augmentation that knows nothing of the real side: brightness x U(0.5, 1) and
    Gaussian noise (stddev 0.1) per image (the control for "more variety of any kind")."""
    fold_in = tf.random.experimental.stateless_fold_in
    brightness = tf.random.stateless_uniform([], fold_in(seed, 11), 0.5, 1.0)
    noise = 0.1 * tf.random.stateless_normal(tf.shape(image), fold_in(seed, 12))
    return tf.clip_by_value(image * brightness + noise, 0.0, 1.0)


def bridged(count: int, seed: int, appearance=glyphs.scanned) -> tuple[np.ndarray, np.ndarray]:
    """Font letters with ``appearance`` (the real side's), ``count`` of them, area-resized."""
    fold_in = tf.random.experimental.stateless_fold_in
    shapes = tf.constant(glyphs.templates()[..., None])
    images, labels = [], []
    for index in range(count):
        example = tf.constant([seed, index], tf.int64)
        label = int(tf.random.stateless_uniform([], fold_in(example, 9), 0, len(glyphs.LETTERS),
                                                dtype=tf.int32))
        image = appearance(glyphs.font_letter(tf.gather(shapes, label), example), example)
        images.append(tf.image.resize(image, [SIZE, SIZE], method="area").numpy() * 2 - 1)
        labels.append(label)
    return np.stack(images), np.array(labels, np.int32)


def letters(domain: str, split: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    arrays = data.first(DATASETS.build("glyph_domains", seed=0, domain=domain, split=split,
                                       num_examples=count, height=SIZE, width=SIZE), count)
    return arrays["image"], arrays["glyph"]


def accuracy(images: np.ndarray, labels: np.ndarray, test: tuple[np.ndarray, np.ndarray]) -> str:
    """Mean ± std over SEEDS of the task model's accuracy on ``test``."""
    scores = []
    for seed in SEEDS:
        model = task_model.task_model(images.shape[1:], len(glyphs.LETTERS), seed=seed)
        task_model.train_task_model(model, images, labels, seed=seed)
        scores.append(np.mean(np.argmax(model.predict(test[0], verbose=0), -1) == test[1]))
    return f"{np.mean(scores):.3f} ± {np.std(scores, ddof=1):.3f}"


def main() -> None:
    validation = letters("real", "validation", 500)
    print("| trained on (2,000 letters; oracle: the 800 real training letters) "
          "| accuracy on real validation |")
    print("|---|---|")
    print(f"| raw synthetic (font letters) | "
          f"{accuracy(*letters('synthetic', 'train', COUNT), validation)} |")
    print(f"| appearance bridged (font geometry, real strokes, blur, ink, noise) | "
          f"{accuracy(*bridged(COUNT, 123), validation)} |")
    print(f"| one style (font geometry, the middle stroke, blur and ink for every letter) | "
          f"{accuracy(*bridged(COUNT, 123, one_style), validation)} |")
    print(f"| generic jitter (font letters, random brightness and noise per image) | "
          f"{accuracy(*bridged(COUNT, 123, jitter), validation)} |")
    print(f"| oracle (real letters) | {accuracy(*letters('real', 'train', 800), validation)} |")


if __name__ == "__main__":
    main()
