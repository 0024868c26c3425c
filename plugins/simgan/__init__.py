"""SimGAN (S+U learning): the task, the ResNet refiner, local/global discriminators, loss terms
and penalties, history buffers, optimizers, and the `refined` dataset."""

from simgan.plugins.simgan import (  # noqa: F401
    discriminator, diversity, history, losses, optimizers, penalties, refined, refiner, task,
    task_consistency)
