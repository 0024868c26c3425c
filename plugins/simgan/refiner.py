"""The SimGAN ResNet refiner (Shrivastava et al. 2017, appendix: eye gaze refiner)."""

from __future__ import annotations

import keras

from simgan.core.registries import REFINERS


def _resnet_block(x, filters: int, kernel_size: int, index: int):
    """Two conv layers with a skip connection: relu(x + conv(relu(conv(x))))."""
    y = keras.layers.Conv2D(filters, kernel_size, padding="same", activation="relu",
                            name=f"block{index}_conv1")(x)
    y = keras.layers.Conv2D(filters, kernel_size, padding="same", name=f"block{index}_conv2")(y)
    return keras.layers.ReLU(name=f"block{index}_out")(keras.layers.Add()([x, y]))


@REFINERS.register("resnet", denylist=("input_shape",))
def resnet_refiner(*, input_shape: tuple[int, int, int], filters: int = 64,
                   num_blocks: int = 4, kernel_size: int = 3,
                   output_activation: str = "tanh") -> keras.Model:
    """ResNet refiner: conv3x3 to 64 maps, 4 ResNet blocks, 1x1 conv to the image's channels.

    Fully convolutional without striding or pooling, so it works on any image size. The
    ``tanh`` output keeps refined images in the input range [-1, 1].
    """
    inputs = keras.Input(shape=tuple(input_shape), name="synthetic")
    x = keras.layers.Conv2D(filters, kernel_size, padding="same", activation="relu",
                            name="stem")(inputs)
    for i in range(num_blocks):
        x = _resnet_block(x, filters, kernel_size, i)
    outputs = keras.layers.Conv2D(input_shape[-1], 1, activation=output_activation,
                                  name="refined")(x)
    return keras.Model(inputs, outputs, name="resnet_refiner")
