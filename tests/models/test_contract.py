"""Every registered model honours the contract; a new model is tested the moment it exists."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnbench.errors import ConfigError
from nnbench.models import MODELS
from nnbench.models.base import Model


def quick_params(model_class: type[Model]) -> dict:
    """One epoch for models that have epochs, defaults otherwise."""
    return {"epochs": 1} if "epochs" in model_class.param_names() else {}


@pytest.fixture(params=MODELS.names())
def model_class(request) -> type[Model]:
    return MODELS.get(request.param)


def test_registry_name_matches_the_class(model_class):
    assert model_class.name in MODELS
    assert MODELS.get(model_class.name) is model_class


def test_init_only_stores_parameters(model_class):
    model = model_class.from_params(quick_params(model_class), seed=7)
    assert model.seed == 7
    assert set(model.get_params()) == set(model_class.param_names()) - {"seed"}
    assert not any(name.endswith("_") for name in vars(model))


def test_unknown_parameter_is_named(model_class):
    with pytest.raises(ConfigError, match=r"has no parameter 'colour'\. Its parameters: "):
        model_class.from_params({"colour": "red"}, seed=0)


def test_fit_returns_self_and_predicts_labels(model_class, mnist_small):
    model = model_class.from_params(quick_params(model_class), seed=0)
    fitted = model.fit(mnist_small.x_train, mnist_small.y_train, n_classes=10)
    assert fitted is model
    predictions = model.predict(mnist_small.x_test[:100])
    assert predictions.shape == (100,)
    assert set(np.unique(predictions)) <= set(range(10))
    assert model.n_params() > 0
    assert isinstance(model.history_, list) and isinstance(model.info_, dict)
    assert re.fullmatch(r"cpu|gpu:.+", model.device())


def test_same_seed_gives_identical_predictions(model_class, mnist_small):
    x, y = mnist_small.x_train[:1500], mnist_small.y_train[:1500]
    runs = [
        model_class.from_params(quick_params(model_class), seed=3)
        .fit(x, y, n_classes=10)
        .predict(mnist_small.x_test)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("name", ["dense_nn", "cnn"])
def test_the_seed_reaches_the_keras_nets(name, mnist_small):
    x, y = mnist_small.x_train[:1500], mnist_small.y_train[:1500]
    model_class = MODELS.get(name)
    runs = [
        model_class.from_params({"epochs": 1}, seed=seed)
        .fit(x, y, n_classes=10)
        .predict(mnist_small.x_test)
        for seed in (3, 4)
    ]
    assert not np.array_equal(runs[0], runs[1])
