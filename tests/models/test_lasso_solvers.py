"""The L1 logit's solvers minimise one objective: on scikit-learn's digits they reach the same
value and the same weights, and the shared objective is the formula it documents."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits

from nnbench.errors import ConfigError
from nnbench.models import resolve_model
from nnbench.models.base import unit_float
from nnbench.models.l1_logit.objective import l1_logit_objective
from nnbench.models.l1_logit.solvers import SOLVERS
from nnbench.models.lasso_logit import LassoLogit

C = 0.1
#: each solver with a stopping rule tight enough for the comparison
TIGHT = {
    "saga": {"tol": 1e-5, "max_iter": 1000},
    "cyanure": {"tol": 1e-8, "max_iter": 3000},
    "glmnet": {"tol": 1e-10, "max_iter": 100_000},
    "fista": {"tol": 1e-9, "max_iter": 5000},
}
#: a weight above this (in absolute value) is "large": every solver must have it non-zero
LARGE = 0.05
#: a weight above this is non-zero (cyanure leaves float32 dust where the others have 0)
NONZERO = 1e-4


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digits, pixels scaled to [0, 1] as float32."""
    data = load_digits()
    return (data.data / 16).astype(np.float32), data.target.astype(np.int64)


@pytest.fixture(scope="module")
def fits(digits):
    x, y = digits
    return {name: SOLVERS[name](x, y, C=C, seed=0, **TIGHT[name]) for name in SOLVERS}


@pytest.mark.slow
def test_every_solver_reaches_the_best_objective(digits, fits):
    x, y = digits
    values = {name: l1_logit_objective(f.coef, f.intercept, x, y, C) for name, f in fits.items()}
    best = min(values.values())
    assert 0.3 < best < 1.0
    for name, value in values.items():
        assert (value - best) / best <= 1e-4, (name, values)
        assert fits[name].converged, name


def test_every_solver_finds_the_same_support(fits):
    supports = {name: np.abs(f.coef) > NONZERO for name, f in fits.items()}
    large = {name: np.abs(f.coef) > LARGE for name, f in fits.items()}
    assert 50 < large["saga"].sum() < supports["saga"].sum() < supports["saga"].size / 2
    for name in fits:
        for other in fits:
            assert not np.any(large[name] & ~supports[other]), (name, other)
        assert abs(int(supports[name].sum()) - int(supports["saga"].sum())) <= 10, name


def test_objective_is_the_documented_formula():
    coef = np.array([[1.0, -2.0], [0.0, 0.5], [-0.25, 0.0]])
    intercept = np.array([0.1, -0.2, 0.3])
    x = np.array([[0.5, 1.0], [0.0, 0.25], [1.0, 1.0], [0.2, 0.0]], dtype=np.float32)
    y = np.array([0, 2, 1, 1])
    loss = 0.0
    for row, label in zip(x.astype(np.float64), y, strict=True):
        logits = [float(coef[k] @ row + intercept[k]) for k in range(3)]
        loss += math.log(sum(math.exp(v) for v in logits)) - logits[label]
    expected = loss / 4 + 3.75 / (C * 4)
    assert l1_logit_objective(coef, intercept, x, y, C) == pytest.approx(expected, rel=1e-12)


def test_binary_form_is_the_two_row_form():
    x = np.array([[0.5, 1.0], [0.0, 0.25], [1.0, 1.0]], dtype=np.float32)
    y = np.array([1, 0, 1])
    w, b = np.array([[0.75, -1.5]]), np.array([0.25])
    two_rows = l1_logit_objective(np.vstack([0 * w, w]), np.r_[0.0, b], x, y, C)
    assert l1_logit_objective(w, b, x, y, C) == pytest.approx(two_rows, rel=1e-12)


@pytest.mark.parametrize(
    ("solver", "module", "pip"),
    [
        ("cyanure", "cyanure.estimators", "pip install cyanure"),
        ("glmnet", "glmnet", "pip install python-glmnet"),
    ],
)
def test_missing_package_names_its_pip_command(solver, module, pip, monkeypatch, mnist_small):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    with pytest.raises(ConfigError, match=f"solver '{solver}' needs .*: {pip}$"):
        LassoLogit(solver=solver).fit(
            mnist_small.x_train[:50], mnist_small.y_train[:50], n_classes=10
        )


def test_model_records_objective_and_solver(mnist_small):
    x, y = mnist_small.x_train[:1000], mnist_small.y_train[:1000]
    model = LassoLogit(solver="fista", tol=1e-6, max_iter=500).fit(x, y, n_classes=10)
    pixels = unit_float(x)  # the float32 pixels the solver saw
    coef, intercept = model.estimator_.coef_, model.estimator_.intercept_
    assert model.info_["objective"] == pytest.approx(
        l1_logit_objective(coef, intercept, pixels, y, C), rel=1e-12
    )
    assert model.info_["solver"] == "fista" and model.info_["converged"] is True
    assert model.n_params() == 7850 and 0 < model.info_["n_nonzero"] < 7840 // 2
    assert (model.predict(mnist_small.x_test[:1000]) == mnist_small.y_test[:1000]).mean() > 0.65


def test_unknown_solver_is_refused():
    with pytest.raises(ConfigError, match="solver"):
        resolve_model("lasso_logit").build({"solver": "newton"}, seed=0)
