"""SimGAN components: ResNet refiner, local/global discriminators, losses, history buffers, optimizers."""

from simgan.plugins.simgan import discriminator, history, losses, optimizers, refiner  # noqa: F401
