"""What the shared Keras loop builds and compiles a model with: the dtype policy, the optimiser
asked for, and the loss and accuracy that suit the model's output (probabilities or logits; one
unit or one per class)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import keras

from nnbench.models.keras.training import Loss

#: activations after which a model's outputs are probabilities rather than logits
PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")

#: the convolution layers, after which "auto" keeps XLA off on CPU
CONVOLUTIONS = (
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
    keras.layers.DepthwiseConv1D,
    keras.layers.DepthwiseConv2D,
    keras.layers.SeparableConv1D,
    keras.layers.SeparableConv2D,
)

#: each optimiser the loop offers, made for a learning rate
OPTIMIZERS: dict[str, Callable[[float], keras.optimizers.Optimizer]] = {
    "adam": lambda rate: keras.optimizers.Adam(learning_rate=rate),
    "sgd": lambda rate: keras.optimizers.SGD(learning_rate=rate),
    "momentum": lambda rate: keras.optimizers.SGD(learning_rate=rate, momentum=0.9),
    "adagrad": lambda rate: keras.optimizers.Adagrad(learning_rate=rate),
    "rmsprop": lambda rate: keras.optimizers.RMSprop(learning_rate=rate),
}


def gives_logits(model: keras.Model) -> bool:
    """Whether the last layer leaves its outputs without a softmax or sigmoid."""
    last = model.layers[-1] if model.layers else None
    if isinstance(last, keras.layers.Softmax):
        return False
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "linear") not in PROBABILITY_ACTIVATIONS


def loss_and_accuracy(
    loss: Loss, binary: bool, logits: bool
) -> tuple[keras.losses.Loss, keras.metrics.Metric]:
    """The loss asked for, in the form that suits the output (one unit for two classes, or
    ``logits`` without a softmax or sigmoid), and its accuracy. The quadratic loss over several
    classes takes one-hot targets."""
    if binary:
        accuracy = keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5)
    elif loss == "quadratic":
        accuracy = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    if loss == "hinge":
        return keras.losses.Hinge(), accuracy  # 0/1 targets are taken as -1/1
    if loss == "quadratic":
        return keras.losses.MeanSquaredError(), accuracy
    if binary:
        return keras.losses.BinaryCrossentropy(from_logits=logits), accuracy
    return keras.losses.SparseCategoricalCrossentropy(from_logits=logits), accuracy


@contextmanager
def dtype_policy(precision: str) -> Iterator[None]:
    """Build layers under Keras's dtype policy ``precision``, then restore the previous one."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
