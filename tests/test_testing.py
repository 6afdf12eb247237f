"""``check_model``: it passes models that keep the contract, and names the rule each broken
model breaks."""

from __future__ import annotations

import numpy as np
import pytest

from nnbench.models import Model
from nnbench.testing import ModelContractError, check_model, synthetic_digits
from tests.models.test_contract import ALL_CHECKS, WITH_PROBABILITIES


class Good(Model):
    """The nearest class mean: it learns the synthetic bars."""

    def __init__(self, k: int = 1, seed: int = 0) -> None:
        self.k = k
        self.seed = seed

    def fit(self, x, y, *, n_classes, monitor=None):
        pixels = x.reshape(len(x), -1).astype(float)
        self.means_ = np.stack([pixels[y == label].mean(axis=0) for label in range(n_classes)])
        self.history_, self.info_ = [], {}
        return self

    def predict(self, x):
        pixels = x.reshape(len(x), -1).astype(float)
        return ((pixels[:, None, :] - self.means_[None]) ** 2).sum(axis=2).argmin(axis=1)

    def n_params(self):
        return int(self.means_.size)


class WithProbabilities(Good):
    """The nearest class mean, with a softmax over minus the squared distances."""

    def predict_proba(self, x):
        pixels = x.reshape(len(x), -1).astype(float)
        distances = ((pixels[:, None, :] - self.means_[None]) ** 2).sum(axis=2)
        scores = -(distances - distances.min(axis=1, keepdims=True)) / distances.std()
        return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)


class UnnormalisedProbabilities(WithProbabilities):
    def predict_proba(self, x):
        return super().predict_proba(x) * 2


class OneColumnShort(WithProbabilities):
    def predict_proba(self, x):
        return super().predict_proba(x)[:, :-1]


class ContraryProbabilities(WithProbabilities):
    """Probabilities that favour the least likely class."""

    def predict_proba(self, x):
        proba = super().predict_proba(x)[:, ::-1]
        return proba


class LearnsInInit(Good):
    def __init__(self, k: int = 1, seed: int = 0) -> None:
        super().__init__(k, seed)
        self.ready_ = True


class ReturnsNone(Good):
    def fit(self, x, y, *, n_classes, monitor=None):
        super().fit(x, y, n_classes=n_classes)


class PredictsFloats(Good):
    def predict(self, x):
        return super().predict(x).astype(float)


class PredictsTooMany(Good):
    def predict(self, x):
        return np.arange(len(x))


class Random(Good):
    """Right most of the time, and a different tenth wrong on every call."""

    def predict(self, x):
        labels, rng = super().predict(x), np.random.default_rng()
        flipped = rng.random(len(x)) < 0.1
        labels[flipped] = (labels[flipped] + 1) % 3
        return labels


class Majority(Good):
    """Always the most frequent training class: it learns nothing."""

    def predict(self, x):
        return np.zeros(len(x), dtype=np.int64)


class NoHistory(Good):
    def fit(self, x, y, *, n_classes, monitor=None):
        super().fit(x, y, n_classes=n_classes)
        del self.history_
        return self


class NoMonitor(Good):
    def fit(self, x, y, *, n_classes):
        return super().fit(x, y, n_classes=n_classes)


class Refuses(Good):
    def skip_reason(self, data):
        return f"needs colour, got {data.input_shape[-1]} channel(s)"


def test_a_good_model_passes_every_check():
    assert check_model(Good) == ALL_CHECKS


def test_probabilities_are_checked_when_the_model_has_them():
    assert check_model(WithProbabilities) == WITH_PROBABILITIES


def test_a_model_that_refuses_the_data_is_checked_up_to_its_reason():
    assert check_model(Refuses) == ALL_CHECKS[:5]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (LearnsInInit, "check 'init stores parameters only' failed: __init__ set ['ready_']"),
        (ReturnsNone, "check 'fit returns self' failed: fit returned another object"),
        (PredictsFloats, "check 'predict gives one label per image' failed: predict gave float64"),
        (PredictsTooMany, "check 'labels are classes' failed: predict gave labels outside 0..2"),
        (Random, "check 'same seed, same predictions' failed: two fits with seed 3 disagreed"),
        (
            Majority,
            "check 'learns clearly above chance' failed: test accuracy 0.333 on contract-check "
            "(synthetic), where always guessing the most frequent class scores 0.333; a model "
            "that learns reaches 0.500",
        ),
        (NoHistory, "check 'history_ and info_ are set' failed: after fit, history_ is None"),
        (
            OneColumnShort,
            "check 'predict_proba gives a row per image and class' failed: predict_proba gave "
            "shape (90, 2) for 90 images of 3 classes",
        ),
        (
            UnnormalisedProbabilities,
            "check 'probabilities sum to 1' failed: rows sum to 2.000000 to 2.000000",
        ),
        (
            ContraryProbabilities,
            "check 'predict_proba agrees with predict' failed: the most probable class is "
            "predict's label on only",
        ),
        (
            NoMonitor,
            "check 'fit takes a run's arguments' failed: fit(x, y, *, n_classes, monitor) cannot "
            "be called (got an unexpected keyword argument 'monitor')",
        ),
    ],
)
def test_a_broken_model_is_named_with_the_rule_it_breaks(model, message):
    with pytest.raises(ModelContractError) as caught:
        check_model(model)
    assert str(caught.value).startswith(message)


def test_the_examples_pass_and_the_default_data_is_labelled_synthetic():
    data = synthetic_digits()
    assert data.synthetic and "synthetic" in data.name
    assert check_model("examples/my_models.py:NearestMean") == ALL_CHECKS
    tiny_cnn = check_model("examples/my_models.py:tiny_cnn", params={"epochs": 1})
    assert tiny_cnn == WITH_PROBABILITIES  # a softmax output gives probabilities


def unscaled_builder(input_shape, n_classes):
    """A Keras builder that forgets Rescaling: its first Dense layer sees pixels of 0 to 255."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ]
    )


def test_a_builder_without_rescaling_fails_the_learning_rule_naming_the_scaling():
    with pytest.raises(ModelContractError) as caught:
        check_model(unscaled_builder)
    message = str(caught.value)
    assert message.startswith(
        "check 'learns clearly above chance' failed: training went wrong: the training loss of "
        "epoch 1 was"
    )
    assert "the first layer with weights sees the pixels unscaled (values up to 255)" in message
    assert "keras.layers.Rescaling(1 / 255)" in message
