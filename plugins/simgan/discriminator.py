"""SimGAN discriminators: the paper's local (patch) network and a global variant for ablations."""

from __future__ import annotations

import keras

from simgan.core.registries import DISCRIMINATORS


PAPER_FILTERS = (96, 64, 32, 32)  # conv1..conv4 (paper, appendix)


def _trunk(inputs, padding: str, filters: tuple[int, int, int, int],
           strides: tuple[int, int]):
    """The paper's eye-gaze discriminator body up to (not including) the 2-way output."""
    if len(filters) != 4 or min(filters) < 1:
        raise ValueError(f"discriminator filters: expected 4 positive widths (conv1..conv4), "
                         f"got {filters!r}")
    if len(strides) != 2 or min(strides) < 1:
        raise ValueError(f"discriminator strides: expected 2 positive strides (conv1, conv2), "
                         f"got {strides!r}")
    f1, f2, f3, f4 = filters
    x = keras.layers.Conv2D(f1, 3, strides=strides[0], padding=padding, activation="relu",
                            name="conv1")(inputs)
    x = keras.layers.Conv2D(f2, 3, strides=strides[1], padding=padding, activation="relu",
                            name="conv2")(x)
    x = keras.layers.MaxPooling2D(3, strides=1, padding=padding, name="pool")(x)
    x = keras.layers.Conv2D(f3, 3, strides=1, padding=padding, activation="relu", name="conv3")(x)
    return keras.layers.Conv2D(f4, 1, activation="relu", name="conv4")(x)


@DISCRIMINATORS.register("local")
def local_discriminator(*, input_shape: tuple[int, int, int], padding: str = "same",
                        filters: tuple[int, int, int, int] = PAPER_FILTERS,
                        strides: tuple[int, int] = (2, 2)) -> keras.Model:
    """Local discriminator: conv3x3/2 96, conv3x3/2 64, maxpool3x3/1, conv3x3 32, conv1x1 32,
    conv1x1 2 -> a w x h map of two-class logits, one per receptive-field patch (``filters``
    sets the four widths, ``strides`` those of conv1 and conv2).

    For a 35x55 input with 'same' padding the map is 9x14, each patch 23x23 pixels; with
    ``strides=(1, 1)`` the map is the image's size and each patch 9x9, so on small images the
    discriminator still judges parts of the image rather than all of it.
    """
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    logits = keras.layers.Conv2D(2, 1, name="patch_logits")(
        _trunk(inputs, padding, filters, tuple(strides)))
    return keras.Model(inputs, logits, name="local_discriminator")


@DISCRIMINATORS.register("global")
def global_discriminator(*, input_shape: tuple[int, int, int], padding: str = "same",
                         filters: tuple[int, int, int, int] = PAPER_FILTERS,
                         strides: tuple[int, int] = (2, 2)) -> keras.Model:
    """Global discriminator for the local-vs-global ablation: the same body, then one dense
    two-class decision for the whole image (a 1x1 logit map)."""
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = keras.layers.Flatten()(_trunk(inputs, padding, filters, tuple(strides)))
    x = keras.layers.Dense(2, name="image_logits")(x)
    logits = keras.layers.Reshape((1, 1, 2))(x)
    return keras.Model(inputs, logits, name="global_discriminator")
