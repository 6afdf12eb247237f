"""Every registered model honours the contract, checked by the public ``check_model``; a new
model is tested the moment it is registered."""

from __future__ import annotations

import numpy as np
import pytest

from nnbench.models import MODELS, resolve_model
from nnbench.testing import check_model

ALL_CHECKS = [
    "init stores parameters only",
    "get_params reports the parameters",
    "parameters are JSON",
    "unknown parameter is named",
    "skip_reason is text or None",
    "fit takes a run's arguments",
    "fit returns self",
    "predict gives one label per image",
    "labels are classes",
    "n_params is a count",
    "parameter_bytes is a count of bytes",
    "history_ and info_ are set",
    "device is cpu or gpu:NAME",
    "learns clearly above chance",
    "same seed, same predictions",
]
#: the rules of the optional predict_proba, checked after the fitted model's facts
PROBABILITY_CHECKS = [
    "predict_proba gives a row per image and class",
    "probabilities sum to 1",
    "predict_proba agrees with predict",
]
WITH_PROBABILITIES = ALL_CHECKS[:13] + PROBABILITY_CHECKS + ALL_CHECKS[13:]


@pytest.mark.parametrize("name", MODELS.names())
def test_every_registered_model_passes_check_model_on_mnist(name, mnist_small):
    data = mnist_small.subset(1500)
    assert check_model(name, data=data) == WITH_PROBABILITIES  # every built-in has them


@pytest.mark.parametrize("name", MODELS.names())
def test_the_registry_name_is_the_only_name(name):
    spec = resolve_model(name)
    assert spec.name == name
    assert spec.origin["reference"] == name and spec.origin["kind"] == "built-in"
    assert not hasattr(spec.target, "name")


@pytest.mark.parametrize("name", ["dense_nn", "cnn"])
def test_the_seed_reaches_the_keras_nets(name, mnist_small):
    x, y = mnist_small.x_train[:1500], mnist_small.y_train[:1500]
    spec = resolve_model(name)
    runs = [
        spec.build({"epochs": 1}, seed=seed).fit(x, y, n_classes=10).predict(mnist_small.x_test)
        for seed in (3, 4)
    ]
    assert not np.array_equal(runs[0], runs[1])
