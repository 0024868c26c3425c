"""Spectral normalization of a discriminator (Miyato, Kataoka, Koyama, Yoshida, "Spectral
Normalization for Generative Adversarial Networks", ICLR 2018).

Registered as discriminator ``spectral_norm``: it builds any registered discriminator
(``base``, default the paper's ``local`` one, with its own gin bindings) and wraps each of its
Conv2D and Dense layers in ``keras.layers.SpectralNormalization``, which divides the kernel by
its largest singular value, estimated with one power iteration per training call (the paper's
setting). Keras's wrapper writes the normalized kernel back into the layer's variable on each
training-mode call (a projection) instead of differentiating through the singular value as the
paper does; the constraint it enforces, a spectral norm of 1 per layer, is the same.

    simgan.discriminator = 'spectral_norm'
    spectral_norm.base = 'local'
"""

from __future__ import annotations

import keras

from simgan.core.registries import DISCRIMINATORS

_NORMALIZED = (keras.layers.Conv2D, keras.layers.Dense)
_NAME = "spectral_norm"


def _wrapper(power_iterations: int, wrapped: list[str]):
    """A ``clone_model`` clone function wrapping Conv2D and Dense layers; appends the name of
    each layer it wraps to ``wrapped``."""
    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        copy = layer.__class__.from_config(layer.get_config())
        if not isinstance(layer, _NORMALIZED):
            return copy
        wrapped.append(layer.name)
        return keras.layers.SpectralNormalization(copy, power_iterations=power_iterations,
                                                  name=f"{layer.name}_sn")
    return clone


@DISCRIMINATORS.register(_NAME)
def spectral_norm(*, input_shape: tuple[int, int, int], base: str = "local",
                  power_iterations: int = 1) -> keras.Model:
    """Discriminator ``base`` with every Conv2D and Dense layer spectrally normalized
    (Miyato et al. 2018; ``power_iterations`` per training call, the paper's 1)."""
    if base == _NAME:
        raise ValueError(f"{_NAME}.base: expected another registered discriminator to "
                         f"normalize, e.g. 'local'; got {base!r}")
    if power_iterations < 1:
        raise ValueError(f"{_NAME}.power_iterations: expected >= 1; got {power_iterations!r}")
    model = DISCRIMINATORS.build(base, input_shape=input_shape)
    wrapped: list[str] = []
    try:
        normalized = keras.models.clone_model(
            model, clone_function=_wrapper(power_iterations, wrapped), recursive=True)
    except ValueError as e:  # a subclassed model has no layer graph to clone
        raise ValueError(f"{_NAME}.base: discriminator {base!r} must be a functional or "
                         f"Sequential Keras model to wrap its layers ({e})") from None
    if not wrapped:
        raise ValueError(f"{_NAME}.base: discriminator {base!r} has no Conv2D or Dense layer "
                         "to normalize")
    return normalized
