"""The shared Keras loop's parameters, known without importing Keras."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from nnbench.models.params import PositiveCount, PositiveNumber

#: momentum is SGD with momentum 0.9; full-batch gradient descent is SGD with a batch as large
#: as the training set
Optimizer = Literal["adam", "sgd", "momentum", "adagrad", "rmsprop"]
#: cross-entropy (binary or categorical, as the output suits); hinge, for one linear output unit
#: and two classes; quadratic: the mean squared difference of the outputs and one-hot targets
Loss = Literal["cross_entropy", "hinge", "quadratic"]
#: Keras's dtype policies: float32 throughout, or layers computing in bfloat16 or float16 with
#: float32 weights (float16 with dynamic loss scaling)
Precision = Literal["float32", "mixed_bfloat16", "mixed_float16"]


@dataclass(frozen=True)
class Training:
    """``optimizer`` (Adam) for ``epochs`` epochs of ``batch_size`` images, minimising ``loss``
    (the lecture's "3 to 5 epochs with a learning rate of 0.001"). The types and ranges are
    checked with every model's parameters (:mod:`nnbench.models.params`)."""

    epochs: PositiveCount = 5
    batch_size: PositiveCount = 100
    learning_rate: PositiveNumber = 0.001
    #: batches per compiled call when the training set is too large to live on the device (it
    #: then goes there in chunks of this many batches); one that fits trains a whole epoch per call
    steps_per_execution: PositiveCount = 100
    optimizer: Optimizer = "adam"
    loss: Loss = "cross_entropy"
    precision: Precision = "float32"
    #: whether TensorFlow compiles the training loop with XLA: "auto" does for nets without
    #: convolutions on CPU (on 2 cores, the dense net's epoch took 0.56 s with XLA and 1.09 s
    #: without; the CNN's twice as long with it) and for every net on a GPU. JAX always uses XLA
    jit_compile: bool | Literal["auto"] = "auto"


TRAINING_NAMES = tuple(field.name for field in fields(Training))
