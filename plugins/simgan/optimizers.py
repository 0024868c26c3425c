"""Optimizers selectable from gin. The trainer builds them under the gin scopes `refiner` and
`discriminator`, e.g. ``refiner/sgd.learning_rate = 0.001``."""

from __future__ import annotations

import keras

from simgan.core.registries import OPTIMIZERS


@OPTIMIZERS.register("sgd")
def sgd(*, learning_rate: float = 0.001, momentum: float = 0.0) -> keras.optimizers.Optimizer:
    """Plain SGD; the paper trains both networks with SGD at learning rate 0.001."""
    return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)


@OPTIMIZERS.register("adam")
def adam(*, learning_rate: float = 0.0002, beta_1: float = 0.5,
         beta_2: float = 0.999) -> keras.optimizers.Optimizer:
    """Adam with the DCGAN settings common in GAN tooling (not used by the paper)."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2)
