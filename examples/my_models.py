"""Your own models beside the lecture's baselines: one of each kind nnbench takes.

    nnbench run --model examples/my_models.py:tiny_cnn,naive_bayes --dataset mnist --epochs 1
    nnbench run --model 'examples/my_models.py:NearestMean[shrink=0.1]' --dataset mnist
    nnbench all --suite examples/suite.toml

Every model receives the images as uint8 pixels from 0 to 255, an array of N x H x W x C (C is
1 for grey, 3 for colour), with integer labels 0..K-1. The third kind, a scikit-learn classifier
class, needs no code at all: name it as ``sklearn.ensemble:RandomForestClassifier`` (see
suite.toml); it is fitted on the pixels flattened to N x (H*W*C) float32 in [0, 1].
"""

from __future__ import annotations

import numpy as np
from pydantic import PositiveInt

from nnbench.models import Model


def tiny_cnn(input_shape, n_classes, filters: PositiveInt = 16, dense_units: PositiveInt = 64):
    """A Keras builder: one conv/pool block, one dense layer, a softmax.

    Its model receives uint8 pixels from 0 to 255, ``input_shape`` (H, W, C) each, so it starts
    with ``Rescaling(1 / 255)``: without it, the first layer sees values up to 255, training goes
    wrong, and nnbench records a warning that says so. nnbench trains it with the loop of the
    lecture's nets (Adam, epochs, batch size, shuffling, history, device), whose parameters it
    also takes: epochs, batch_size, learning_rate. The type hints are checked: ``filters = 0``
    in a suite is refused before anything trains.
    """
    import keras  # here, so that the file's other models load without TensorFlow
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Rescaling(1 / 255),
            layers.Conv2D(filters, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(dense_units, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ]
    )


class NearestMean(Model):
    """A Model subclass: each image goes to the class whose mean image is nearest.

    ``fit`` and ``predict`` get the uint8 images (N x H x W x C, 0 to 255) as they are and scale
    them themselves. ``__init__`` stores parameters only; ``fit`` learns ``means_`` and returns
    ``self``.
    """

    def __init__(self, shrink: float = 0.0, seed: int = 0) -> None:
        self.shrink = shrink  # pulls every class mean towards the overall mean
        self.seed = seed

    def fit(self, x, y, *, n_classes, monitor=None):
        pixels = x.reshape(len(x), -1).astype(np.float32) / 255
        overall = pixels.mean(axis=0)
        means = np.stack([pixels[y == k].mean(axis=0) for k in range(n_classes)])
        self.means_ = (1 - self.shrink) * means + self.shrink * overall
        self.history_, self.info_ = [], {}
        return self

    def predict(self, x):
        pixels = x.reshape(len(x), -1).astype(np.float32) / 255
        # |x - m|^2 = |x|^2 - 2 x.m + |m|^2; |x|^2 is the same for every class
        closeness = 2 * pixels @ self.means_.T - (self.means_**2).sum(axis=1)
        return closeness.argmax(axis=1)

    def n_params(self):
        return int(self.means_.size)
