"""The SimGAN ResNet refiner (Shrivastava et al. 2017, appendix: eye gaze refiner).

Knobs beyond the paper that decide whether a small refiner learns real-looking images:

- ``padding``: 'zero' (the paper's 'same' convolutions) paints a light frame along the border
  of refined eyes, as every 3x3 conv sees zeros outside the image; 'reflect' and 'symmetric'
  pad each conv with mirrored pixels instead.
- ``noise_channels``: extra input channels of seeded Gaussian noise (as in PixelDA, Bousmalis et
  al. 2017), so the refiner can add sensor noise that does not follow from the synthetic image.
- ``style_channels``: extra input channels holding one Gaussian draw per image, the same at
  every pixel (a style code, as in BicycleGAN, Zhu et al., NeurIPS 2017), so one synthetic
  image can be refined in several whole-image styles; with the ``diversity`` term
  (diversity.py) the refiner spreads its outputs over the real images' styles.
- ``residual_output``: the output is ``tanh(atanh(x) + h)`` with the last conv initialised to
  zero, so the refiner starts as the identity instead of learning it in pretraining.

All are built from stock Keras layers and ops, so the exported refiner loads with
``keras.saving.load_model`` without simgan. Stock Keras draws noise only in training calls; so
that ``predict`` still refines in a style, the style code of a call that does not draw is a hash
of the image (``_image_style``) with the draws' distribution.
"""

from __future__ import annotations

import keras

from simgan.core.registries import GENERATORS

PADDINGS = ("zero", "reflect", "symmetric")
_RESIDUAL_LIMIT = 0.999


def _pads(kernel_size: int, dilation: int) -> tuple[int, int]:
    """The pixels a size-keeping conv pads before and after each spatial axis."""
    span = dilation * (kernel_size - 1)
    return span // 2, span - span // 2


def _conv(x, filters: int, kernel_size: int, padding: str, name: str, activation=None,
          dilation: int = 1):
    """A stride-1 conv whose output keeps the input's size, padded as ``padding`` says."""
    if padding == "zero" or kernel_size == 1:
        return keras.layers.Conv2D(filters, kernel_size, padding="same", activation=activation,
                                   dilation_rate=dilation, name=name)(x)
    before, after = _pads(kernel_size, dilation)
    pads = [[0, 0], [before, after], [before, after], [0, 0]]
    x = keras.ops.pad(x, pads, mode=padding)
    return keras.layers.Conv2D(filters, kernel_size, padding="valid", activation=activation,
                               dilation_rate=dilation, name=name)(x)


def _resnet_block(x, filters: int, kernel_size: int, padding: str, index: int,
                  dilation: int = 1):
    """Two conv layers with a skip connection: relu(x + conv(relu(conv(x))))."""
    y = _conv(x, filters, kernel_size, padding, f"block{index}_conv1", activation="relu",
              dilation=dilation)
    y = _conv(y, filters, kernel_size, padding, f"block{index}_conv2", dilation=dilation)
    return keras.layers.ReLU(name=f"block{index}_out")(keras.layers.Add()([x, y]))


def _with_noise(inputs, channels: int, stddev: float, seed: int):
    """``inputs`` with ``channels`` channels of N(0, stddev^2) noise appended.

    The noise layer is called with ``training=True`` so it also draws in inference calls
    (``refiner(x)``); ``refiner(x, training=False)`` and ``predict`` give the noise-free output.
    Its seed generator's state is a model variable, so checkpoints resume the same draws.
    """
    zeros = keras.layers.Conv2D(channels, 1, use_bias=False, trainable=False,
                                kernel_initializer="zeros", name="noise_base")(inputs)
    noise = keras.layers.GaussianNoise(stddev, seed=seed, name="noise")(zeros, training=True)
    return keras.layers.Concatenate(name="with_noise")([inputs, noise])


# Inference styles: per code channel, the image's mean of sin(a x + b row + c column + d channel
# + k), scaled and wrapped to [0, 1), then through the normal quantile function. The position
# terms make images with the same pixel values in other places hash apart (arbitrary constants).
_HASH_WEIGHTS = ((37.3, 1.618, 2.718, 0.577), (53.9, 2.414, 1.732, 1.202),
                 (71.1, 0.707, 3.141, 2.236), (89.7, 3.303, 0.414, 1.414))
_HASH_SCALE = 1009.0
_HASH_EPS = 1e-6


def _image_style(inputs, channels: int, stddev: float):
    """One N(0, stddev^2)-distributed code per image and channel, a fixed function of the image
    (a hash made of stock ops, in float32): the style of a call that does not draw."""
    x = keras.ops.cast(inputs, "float32")
    ones = keras.ops.ones_like(x)
    row, column, channel = (keras.ops.cumsum(ones, axis=axis) for axis in (1, 2, 3))
    hashed = []
    for k in range(channels):
        cycle, row_of_weights = divmod(k, len(_HASH_WEIGHTS))
        a, b, c, d = (w * (1 + cycle) for w in _HASH_WEIGHTS[row_of_weights])
        phase = a * x + b * row + c * column + d * channel + k
        hashed.append(keras.ops.mean(keras.ops.sin(phase), axis=(1, 2, 3), keepdims=True))
    uniform = keras.ops.mod(_HASH_SCALE * keras.ops.concatenate(hashed, axis=-1), 1.0)
    centred = keras.ops.clip(2.0 * uniform - 1.0, -1.0 + _HASH_EPS, 1.0 - _HASH_EPS)
    return stddev * 2.0 ** 0.5 * keras.ops.erfinv(centred)


def _with_style(inputs, channels: int, stddev: float, seed: int):
    """``inputs`` with ``channels`` channels of one N(0, stddev^2) draw per image, the same at
    every pixel: a style code rather than per-pixel noise. Drawn as ``_with_noise`` draws; in a
    call that does not draw (``predict``, ``training=False``: Keras switches GaussianNoise off)
    the code is ``_image_style``'s, distributed as the draws, instead of the all-zero code, which
    is not a style the refiner learnt (docs/ROBUSTNESS.md: worse than raw on the glyph pair)."""
    zeros = keras.layers.Conv2D(channels, 1, use_bias=False, trainable=False,
                                kernel_initializer="zeros", name="style_base")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(keepdims=True, name="style_pool")(zeros)
    drawn = keras.layers.GaussianNoise(stddev, seed=seed, name="style")(pooled, training=True)
    fixed = keras.ops.cast(_image_style(inputs, channels, stddev), drawn.dtype)
    code = keras.ops.where(keras.ops.equal(drawn, 0.0), fixed, drawn)  # a draw is never 0
    return keras.layers.Concatenate(name="with_style")([inputs, keras.ops.add(zeros, code)])


@GENERATORS.register("resnet")
def resnet_refiner(*, input_shape: tuple[int, int, int], filters: int = 64,
                   num_blocks: int = 4, kernel_size: int = 3,
                   output_activation: str = "tanh", padding: str = "zero",
                   noise_channels: int = 0, noise_stddev: float = 1.0,
                   noise_seed: int = 0, residual_output: bool = False,
                   style_channels: int = 0, dilation_rates: tuple[int, ...] = ()) -> keras.Model:
    """ResNet refiner: conv3x3 to 64 maps, 4 ResNet blocks, 1x1 conv to the image's channels.

    Fully convolutional without striding or pooling, so it works on any image size. The
    ``tanh`` output keeps refined images in the input range [-1, 1]. ``padding`` (paper:
    'zero'), ``noise_channels`` (paper: 0), ``style_channels`` (paper: 0; drawn with
    ``noise_stddev`` and seed ``noise_seed + 1``) and ``residual_output`` (paper: False) are
    described in the module docstring. ``dilation_rates`` (paper: (), every block 1) gives
    each block's dilation, e.g. (1, 2, 4, 8): a receptive field of the whole eye image (63
    pixels instead of 19) at the same cost, so the refiner can see where in the eye it is.
    """
    if padding not in PADDINGS:
        raise ValueError(f"resnet.padding: expected one of {PADDINGS}, got {padding!r}")
    if noise_channels < 0:
        raise ValueError(f"resnet.noise_channels: expected an integer >= 0, got {noise_channels}")
    if style_channels < 0:
        raise ValueError(f"resnet.style_channels: expected an integer >= 0, got {style_channels}")
    dilations = tuple(dilation_rates) or (1,) * num_blocks
    if len(dilations) != num_blocks or any(not isinstance(d, int) or d < 1 for d in dilations):
        raise ValueError(f"resnet.dilation_rates: expected () or {num_blocks} integers >= 1 "
                         f"(one per block), got {tuple(dilation_rates)!r}")
    reach = _pads(kernel_size, max(dilations))[1]
    if padding != "zero" and reach >= min(input_shape[:2]):
        raise ValueError(f"resnet.dilation_rates: dilation {max(dilations)} pads {reach} pixels, "
                         f"more than {padding} padding can mirror on images of "
                         f"{input_shape[0]}x{input_shape[1]}; use smaller rates")
    inputs = keras.Input(shape=tuple(input_shape), name="synthetic")
    x = _with_noise(inputs, noise_channels, noise_stddev, noise_seed) if noise_channels else inputs
    x = _with_style(x, style_channels, noise_stddev, noise_seed + 1) if style_channels else x
    x = _conv(x, filters, kernel_size, padding, "stem", activation="relu")
    for i, dilation in enumerate(dilations):
        x = _resnet_block(x, filters, kernel_size, padding, i, dilation)
    if not residual_output:
        outputs = keras.layers.Conv2D(input_shape[-1], 1, activation=output_activation,
                                      name="refined")(x)
        return keras.Model(inputs, outputs, name="resnet_refiner")
    change = keras.layers.Conv2D(input_shape[-1], 1, kernel_initializer="zeros", name="change")(x)
    # atanh of the input clipped inside (-1, 1), so saturated pixels stay finite.
    start = keras.ops.arctanh(keras.ops.clip(inputs, -_RESIDUAL_LIMIT, _RESIDUAL_LIMIT))
    outputs = keras.layers.Activation(output_activation, name="refined")(
        keras.layers.Add()([keras.ops.cast(start, change.dtype), change]))
    return keras.Model(inputs, outputs, name="resnet_refiner")
