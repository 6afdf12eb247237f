"""The lecture's neural nets as Keras builders: each is one ``keras.Sequential`` list made from
(input shape, classes, layer sizes), trained by the shared loop of
:mod:`nnbench.models.keras_loop`, like any user's builder.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from nnbench.errors import ConfigError
from nnbench.models.base import SkipCell

#: the lecture's two output forms: a softmax over the classes, or one logistic unit for two
OUTPUTS = ("softmax", "sigmoid")


def output_layer(n_classes: int, output: str = "softmax") -> layers.Layer:
    """Softmax over the classes, or (``output="sigmoid"``) one logistic unit for two classes."""
    if output not in OUTPUTS:
        raise ConfigError(f"output {output!r} is unknown; use one of {', '.join(OUTPUTS)}.")
    if output == "sigmoid":
        if n_classes != 2:
            raise SkipCell(
                f"output 'sigmoid' needs exactly 2 classes, and this dataset has {n_classes}; "
                "use output 'softmax'"
            )
        return layers.Dense(1, activation="sigmoid")
    return layers.Dense(n_classes, activation="softmax")


def dense_net(
    input_shape: Sequence[int],
    n_classes: int,
    hidden_units: Sequence[int] = (128, 128, 128),
    output: str = "softmax",
) -> keras.Sequential:
    """Flattened pixels -> Dense(ReLU) per entry of ``hidden_units`` -> output layer."""
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            *[layers.Dense(units, activation="relu") for units in hidden_units],
            output_layer(n_classes, output),
        ]
    )


def check_conv_fits(
    input_shape: Sequence[int], filters: Sequence[int], kernel_size: int, pool_size: int
) -> None:
    """Raise SkipCell when the conv/pool blocks shrink the images to nothing."""
    height, width = input_shape[:2]
    for block in range(1, len(filters) + 1):
        height = (height - kernel_size + 1) // pool_size
        width = (width - kernel_size + 1) // pool_size
        if height < 1 or width < 1:
            raise SkipCell(
                f"{input_shape[0]}x{input_shape[1]} images shrink to nothing in conv/pool block "
                f"{block} of {len(filters)} (kernel {kernel_size}, pool {pool_size}); use fewer "
                "filters blocks, or larger images (--image-size)"
            )


def conv_net(
    input_shape: Sequence[int],
    n_classes: int,
    filters: Sequence[int] = (64, 64),
    kernel_size: int = 3,
    pool_size: int = 2,
    dense_units: Sequence[int] = (128, 128),
    output: str = "softmax",
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
