"""The lecture's neural nets as Keras builders: each is one ``keras.Sequential`` list made from
(input shape, classes, layer sizes), trained by the shared loop of
:mod:`nnbench.models.keras.loop`, like any user's builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import keras
from keras import layers, ops

from nnbench.models.base import SkipCell
from nnbench.models.params import PositiveCount

#: the lecture's two output forms, a softmax over the classes or one logistic unit for two; and
#: linear scores (one unit for two classes), for the hinge loss
Output = Literal["softmax", "sigmoid", "linear"]
#: the hidden layers' activation (see :func:`hidden_layers`)
Activation = Literal["relu", "leaky_relu", "sigmoid", "linear", "binary_step"]
#: leaky ReLU's slope below zero: max(0.01 x, x). The lecture writes "max(.01, x)", a misprint
#: of this usual form (its own plot has the slope)
LEAKY_SLOPE = 0.01
#: layer sizes: units per dense layer, or filters per convolution
Sizes = Sequence[PositiveCount]


def output_layer(n_classes: int, output: Output = "softmax") -> layers.Layer:
    """Softmax over the classes; or (``output="sigmoid"``) one logistic unit for two classes; or
    (``output="linear"``) scores: one unit for two classes, else one per class. Under a mixed
    precision it computes in float32, as Keras advises, so that the loss stays exact."""
    dtype = "float32" if keras.config.dtype_policy().name.startswith("mixed") else None
    if output == "linear":
        return layers.Dense(1 if n_classes == 2 else n_classes, dtype=dtype)
    if output == "sigmoid":
        if n_classes != 2:
            raise SkipCell(
                f"output 'sigmoid' needs exactly 2 classes, and this dataset has {n_classes}; "
                "use output 'softmax'"
            )
        return layers.Dense(1, activation="sigmoid", dtype=dtype)
    return layers.Dense(n_classes, activation="softmax", dtype=dtype)


class BinaryStep(layers.Layer):  # type: ignore[misc]  # Keras ships no type information
    """The binary step, 1 for x > 0 and 0 for x < 0, computed as (sign(x) + 1) / 2: its gradient
    is zero wherever it exists, as the step's is, so nothing below it can learn by gradient."""

    def call(self, x: keras.KerasTensor) -> keras.KerasTensor:
        return (ops.sign(x) + 1) / 2


def hidden_layers(units: int, activation: Activation) -> list[layers.Layer]:
    """One hidden layer of ``units`` with its activation (leaky ReLU and the binary step as
    layers of their own)."""
    if activation == "leaky_relu":
        return [layers.Dense(units), layers.LeakyReLU(negative_slope=LEAKY_SLOPE)]
    if activation == "binary_step":
        return [layers.Dense(units), BinaryStep()]
    return [layers.Dense(units, activation=activation)]


def dense_net(
    input_shape: Sequence[int],
    n_classes: int,
    hidden_units: Sizes = (128, 128, 128),
    output: Output = "softmax",
    activation: Activation = "relu",
) -> keras.Sequential:
    """Flattened pixels -> Dense(``activation``) per entry of ``hidden_units`` -> output."""
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            *[layer for units in hidden_units for layer in hidden_layers(units, activation)],
            output_layer(n_classes, output),
        ]
    )


def conv_side(side: int, blocks: int, kernel_size: int, pool_size: int) -> int:
    """What an image side is after ``blocks`` valid convolutions, each followed by pooling."""
    for _ in range(blocks):
        side = (side - kernel_size + 1) // pool_size
    return side


def check_conv_fits(
    input_shape: Sequence[int], filters: Sequence[int], kernel_size: int, pool_size: int
) -> None:
    """Raise SkipCell, naming the largest kernel_size that fits, when the conv/pool blocks
    shrink the images to nothing."""
    side, blocks = min(input_shape[:2]), len(filters)
    if conv_side(side, blocks, kernel_size, pool_size) >= 1:
        return
    fitting = [k for k in range(1, side + 1) if conv_side(side, blocks, k, pool_size) >= 1]
    fix = (
        f"use kernel_size {max(fitting)} or less"
        if fitting
        else "use fewer filters or a smaller pool_size"
    )
    raise SkipCell(
        f"kernel_size {kernel_size} with pool_size {pool_size} over {blocks} conv/pool blocks "
        f"shrinks {input_shape[0]}x{input_shape[1]} images to nothing: {fix}, or larger images "
        "(--image-size)",
        parameters=("filters", "kernel_size", "pool_size"),
    )


def conv_net(
    input_shape: Sequence[int],
    n_classes: int,
    filters: Sizes = (64, 64),
    kernel_size: PositiveCount = 3,
    pool_size: PositiveCount = 2,
    dense_units: Sizes = (128, 128),
    output: Output = "softmax",
) -> keras.Sequential:
    """(Conv2D(ReLU, valid) -> MaxPool) per entry of ``filters``, Flatten, Dense(ReLU)s, output."""
    check_conv_fits(input_shape, filters, kernel_size, pool_size)
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            layers.Rescaling(1 / 255),
            *[
                layer
                for n_filters in filters
                for layer in (
                    layers.Conv2D(n_filters, kernel_size, activation="relu", padding="valid"),
                    layers.MaxPooling2D(pool_size),
                )
            ],
            layers.Flatten(),
            *[layers.Dense(units, activation="relu") for units in dense_units],
            output_layer(n_classes, output),
        ]
    )
