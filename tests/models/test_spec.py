"""What a model resolves to: parameters of each kind, ``**kwargs``, the Keras loop's values
checked, constructors that refuse their parameters, and objects that are not models."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

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


class Activation(Enum):
    RELU = "relu"
    TANH = "tanh"


def hinted_builder(
    input_shape,
    n_classes,
    kernel: tuple[int, int] = (3, 3),
    activation: Activation = Activation.RELU,
    folder: Path = Path("."),
    units: int = 8,
    head: keras.Model | None = None,  # not a type pydantic checks: any value goes
    notes=None,  # no hint: any value goes
):
    """A builder whose hints pydantic would otherwise refuse TOML values for."""
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(n_classes)])


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"kernel": [5, 5], "activation": "tanh", "folder": "out", "units": 4}, None),
        ({"head": "anything", "notes": [1, "x"]}, None),
        ({"kernel": [5]}, "kernel is [5]: should be a valid tuple"),
        ({"activation": "gelu"}, "activation is \"gelu\": should be 'relu' or 'tanh'"),
        ({"units": "4"}, 'units is "4": should be a whole number'),
        ({"units": True}, "units is true: should be a whole number"),
    ],
)
def test_hints_take_values_as_a_suite_writes_them_and_never_convert_them(params, problem):
    spec = model_spec("hinted", hinted_builder, {})
    if problem is None:
        model = spec.build(params, seed=0)
        assert {key: model.params[key] for key in params} == params  # used as written
    else:
        with pytest.raises(ConfigError, match=re.escape(f"Model 'hinted': {problem}.")):
            spec.check_params(params)


def test_a_hint_that_does_not_resolve_leaves_only_its_own_parameter_unchecked():
    namespace: dict = {}
    exec(  # a file whose hint names something it imports only for type checkers
        "from __future__ import annotations\n"
        "def builder(input_shape, n_classes, units: int = 8, head: Missing = None):\n"
        "    return None\n",
        namespace,
    )
    spec = model_spec("partly", namespace["builder"], {})
    spec.check_params({"head": "anything"})
    with pytest.raises(ConfigError, match='units is "x": should be a whole number'):
        spec.check_params({"units": "x"})


class Base(Strict):
    def __init__(self, rate: float = 0.1, depth: int = 1) -> None:
        super().__init__(depth)
        self.rate = rate


class Child(Base):
    def __init__(self, rate=0.5, **kwargs) -> None:  # its own rate has no hint
        super().__init__(rate=rate, **kwargs)


def test_a_parameter_is_checked_by_the_hint_where_it_is_declared():
    spec = model_spec("child", Child, {})
    spec.check_params({"rate": "fast"})  # Child declares rate, without a hint
    with pytest.raises(ConfigError, match='depth is "deep": should be a whole number'):
        spec.check_params({"depth": "deep"})  # Base declares depth, with one
