"""What a model resolves to: parameters of each kind, ``**kwargs``, the Keras loop's values
checked, constructors that refuse their parameters, and objects that are not models."""

from __future__ import annotations

import keras
import pytest

from nnbench.errors import ConfigError
from nnbench.models import Model, resolve_model
from nnbench.models.spec import model_spec


def open_builder(input_shape, n_classes, **params):
    """A builder that takes any keyword."""
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(n_classes)])


class Strict(Model):
    def __init__(self, depth: int = 1) -> None:
        if depth < 1:
            raise ValueError("depth must be at least 1")
        self.depth = depth

    def fit(self, x, y, *, n_classes, monitor=None):
        return self

    def predict(self, x):
        return x[:, 0, 0, 0] * 0

    def n_params(self):
        return None


def test_a_builder_ending_in_kwargs_takes_any_keyword_and_the_loops_own():
    spec = model_spec("open", open_builder, {})
    model = spec.build({"width": 3, "epochs": 2}, seed=1)
    assert (model.params, model.training.epochs, model.seed) == ({"width": 3}, 2, 1)
    assert model.get_params()["width"] == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epochs": 2.5}, "epochs is 2.5: should be a whole number"),
        ({"epochs": True}, "epochs is true: should be a whole number"),
        ({"epochs": 0}, "epochs is 0: should be greater than 0"),
        ({"batch_size": 0}, "batch_size is 0: should be greater than 0"),
        ({"learning_rate": -1}, "learning_rate is -1: should be greater than 0"),
        ({"learning_rate": float("inf")}, "learning_rate is Infinity: should be a finite number"),
        ({"steps_per_execution": "5"}, 'steps_per_execution is "5": should be a whole number'),
    ],
)
def test_the_keras_loops_values_are_checked_before_anything_trains(params, message):
    with pytest.raises(ConfigError, match=message):
        resolve_model("dense_nn").build(params, seed=0)


def test_a_constructor_that_refuses_its_parameters_is_bad_input():
    spec = model_spec("strict", Strict, {})
    assert spec.build({"depth": 2}, seed=0).depth == 2  # no seed parameter: none is passed
    with pytest.raises(ConfigError) as caught:
        spec.build({"depth": 0}, seed=0)
    assert str(caught.value) == (
        "Model 'strict' cannot be made with {'depth': 0}: ValueError: depth must be at least 1"
    )


def test_a_keras_model_class_is_refused_with_the_way_to_use_it():
    with pytest.raises(ConfigError, match="Net is a keras.Model class; name a function that"):
        model_spec("net", type("Net", (keras.Model,), {}), {})
