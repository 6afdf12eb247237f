"""Timing benchmarks (pytest-benchmark): fit and predict of every registered model on a fixed
MNIST subset, the first 10,000 training and 10,000 test images, neural nets for 1 epoch, each
model with the lecture suite's MNIST parameters.

Run with ``tox -e bench``; these are benchmarks, not tests, and CI does not run them. Data are
loaded, and models for ``predict`` fitted, outside the timed region.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nnbench.datasets import ImageData, get_dataset
from nnbench.models import MODELS
from nnbench.models.base import Model
from nnbench.plan import Cell, make_model
from nnbench.suite import DEFAULT_SUITE, load_suite

SUBSET = 10_000
EPOCHS = 1
FIT_ROUNDS = 3
PREDICT_ROUNDS = 5
MODEL_NAMES = MODELS.names()


@pytest.fixture(scope="session")
def mnist_subset() -> ImageData:
    """The first 10,000 training and test images of MNIST, fetched on first use."""
    data_dir = Path(os.environ.get("NNBENCH_DATA") or Path(__file__).parent.parent / "data")
    return get_dataset("mnist").load(data_dir, limit=SUBSET)


def new_model(name: str) -> Model:
    """An unfitted model with the lecture suite's MNIST parameters and 1 epoch."""
    suite = load_suite(DEFAULT_SUITE)
    return make_model(
        Cell("mnist", name, 0, suite.configs("mnist", name)[0].params, {"epochs": EPOCHS})
    )


@pytest.fixture(scope="module", params=MODEL_NAMES)
def fitted(request: pytest.FixtureRequest, mnist_subset: ImageData) -> Model:
    """Each model, fitted once, for the predict benchmarks."""
    return new_model(request.param).fit(
        mnist_subset.x_train, mnist_subset.y_train, n_classes=len(mnist_subset.class_names)
    )


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fit(benchmark, name: str, mnist_subset: ImageData) -> None:
    benchmark.group = "fit: 10k MNIST images, 1 epoch"
    classes = len(mnist_subset.class_names)
    model = benchmark.pedantic(
        lambda model: model.fit(mnist_subset.x_train, mnist_subset.y_train, n_classes=classes),
        setup=lambda: ((new_model(name),), {}),
        rounds=FIT_ROUNDS,
    )
    accuracy = (model.predict(mnist_subset.x_test) == mnist_subset.y_test).mean()
    benchmark.extra_info["test_accuracy"] = float(accuracy)
    assert accuracy > 0.5  # a timing of a model that learned nothing would mean nothing


def test_predict(benchmark, fitted: Model, mnist_subset: ImageData) -> None:
    benchmark.group = "predict: 10k MNIST images"
    predictions = benchmark.pedantic(
        fitted.predict, args=(mnist_subset.x_test,), rounds=PREDICT_ROUNDS, warmup_rounds=1
    )
    assert len(predictions) == len(mnist_subset.y_test)
