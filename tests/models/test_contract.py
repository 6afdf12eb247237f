"""Every registered model keeps every rule of the contract, one test per model and rule through
the public ``parametrize_with_checks``; a new model is tested the moment it is registered."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets import ImageData, get_dataset
from nnbench.models import MODELS, resolve_model
from nnbench.testing import all_checks, parametrize_with_checks
from tests.conftest import REPO

#: every rule's name: what a model with predict_proba passes (tests/models/test_lbfgs.py)
WITH_PROBABILITIES = [rule.__name__ for rule in all_checks()]

#: a model whose MNIST cell takes longer than this (the registry's cost, in seconds) trains for
#: more than a second on the contract's 1,500 images: its tests are marked slow
QUICK_COST = 5.0


@functools.cache
def mnist_sample() -> ImageData:
    """The first 1,500 training and test images of MNIST, loaded when a rule first needs them,
    from the data folder the ``mnist`` fixture uses."""
    data_dir = Path(os.environ.get("NNBENCH_DATA") or REPO / "data")
    return get_dataset("mnist").load(data_dir).subset(1500)


def registered() -> list[object]:
    """The registry's models, each marked slow unless its cost is known to be small."""
    return [
        entry.name
        if entry.cost is not None and entry.cost < QUICK_COST
        else pytest.param(entry.name, marks=pytest.mark.slow)
        for entry in MODELS.entries()
    ]


@parametrize_with_checks(registered(), data=mnist_sample)
def test_every_registered_model_keeps_every_rule_on_mnist(model, check):
    try:
        check(model)
    except pytest.skip.Exception as skipped:  # every built-in has predict_proba and takes MNIST
        pytest.fail(f"{check.__name__} does not apply to {model.name}: {skipped}")


@pytest.mark.parametrize("name", MODELS.names())
def test_the_registry_name_is_the_only_name(name):
    spec = resolve_model(name)
    assert spec.name == name
    assert spec.origin["reference"] == name and spec.origin["kind"] == "built-in"
    assert not hasattr(spec.target, "name")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dense_nn", "cnn"])
def test_the_seed_reaches_the_keras_nets(name, mnist_small):
    x, y = mnist_small.x_train[:1500], mnist_small.y_train[:1500]
    spec = resolve_model(name)
    runs = [
        spec.build({"epochs": 1}, seed=seed).fit(x, y, n_classes=10).predict(mnist_small.x_test)
        for seed in (3, 4)
    ]
    assert not np.array_equal(runs[0], runs[1])
