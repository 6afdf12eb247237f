"""The solvers of the L1 logit: each minimises :mod:`~nnbench.models.l1_logit.objective`'s F
for the same ``C`` from zero weights, stopping on the training data only.

``tol`` and ``max_iter`` are each solver's own stopping rule:

- ``saga`` (scikit-learn's ``LogisticRegression(solver="saga", l1_ratio=1)``): stops when the
  largest change of a weight over one epoch is below ``tol`` times the largest weight;
  ``max_iter`` caps the epochs (passes over the data).
- ``cyanure`` (cyanure's ``Classifier``, loss ``multiclass-logistic``, penalty ``l1``,
  ``lambda_1 = 1/(C n)``, unpenalised intercept, solver ``auto``): stops when the duality gap
  is below ``tol`` times the objective, checked every 5 passes; ``max_iter`` caps the passes.
  It runs on every core (cyanure's ``n_threads=-1``, which OpenMP's ``OMP_NUM_THREADS`` caps).
- ``glmnet`` (python-glmnet's ``LogitNet``, ``alpha=1``, ungrouped multinomial, unstandardised
  inputs, warm-started along a path of lambdas ending at ``1/(C n)``; started at that lambda
  alone, its Newton steps fail to converge): coordinate descent stops when no update changes
  the objective by more than ``tol`` times the null deviance; ``max_iter`` caps the passes
  over the data, over the whole path. glmnet reports no iteration count (``n_iter`` is None).
- ``fista``: see :mod:`nnbench.models.l1_logit.fista`.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from nnbench.errors import ConfigError
from nnbench.models.l1_logit.objective import L1Fit, penalty_strength

#: the package to install for each optional solver
PIP_NAMES = {"cyanure": "cyanure", "glmnet": "python-glmnet"}
#: the largest ratio of two neighbours on glmnet's path of lambdas
GLMNET_STEP = 1.5


#: a solver: (x float32 n x p, y class indices 0..K-1, every class present) -> L1Fit
Solver = Callable[..., L1Fit]


def optional_module(name: str) -> ModuleType:
    """Import an optional solver's module, or raise ConfigError with its pip command."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        package = name.partition(".")[0]
        pip = PIP_NAMES[package]
        raise ConfigError(
            f"solver {package!r} needs the package {pip}: pip install {pip}"
        ) from error


def run_catching(fit: Callable[[], Any], category: type[Warning]) -> bool:
    """Call ``fit``; return False if it warned ``category`` (not converged), passing every
    other warning on unchanged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", category)
        fit()
    converged = True
    for warning in caught:
        if issubclass(warning.category, category):
            converged = False
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return converged


def fit_saga(
    x: np.ndarray, y: np.ndarray, *, C: float, tol: float, max_iter: int, seed: int
) -> L1Fit:
    """scikit-learn's saga."""
    estimator = LogisticRegression(
        C=C, l1_ratio=1.0, solver="saga", tol=tol, max_iter=max_iter, random_state=seed
    )
    converged = run_catching(lambda: estimator.fit(x, y), ConvergenceWarning)
    return L1Fit(estimator.coef_, estimator.intercept_, int(np.max(estimator.n_iter_)), converged)


def fit_cyanure(
    x: np.ndarray, y: np.ndarray, *, C: float, tol: float, max_iter: int, seed: int
) -> L1Fit:
    """cyanure's ``Classifier`` (the binary logistic loss for two classes)."""
    binary = int(y.max()) == 1
    estimator = optional_module("cyanure.estimators").Classifier(
        loss="logistic" if binary else "multiclass-logistic",
        penalty="l1",
        lambda_1=penalty_strength(C, len(y)),
        fit_intercept=True,
        tol=tol,
        max_iter=max_iter,
        random_state=seed,
        verbose=False,
        n_threads=-1,
    )
    converged = run_catching(lambda: estimator.fit(x, y), ConvergenceWarning)
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    coef = coef.reshape(1, -1) if binary else coef.T
    intercept = np.asarray(estimator.intercept_, dtype=np.float64).reshape(-1)
    return L1Fit(coef, intercept, int(np.max(estimator.n_iter_)), converged)


def glmnet_path(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Lambdas from the smallest that keeps every weight 0 down to ``lam``, each at most
    ``GLMNET_STEP`` times the next: glmnet's Newton steps need the warm starts of such a path."""
    centred_targets = np.eye(int(y.max()) + 1, dtype=np.float32)[y]
    centred_targets -= centred_targets.mean(axis=0)
    top = float(np.abs(x.T @ centred_targets).max()) / len(y)
    steps = max(1, int(np.ceil(np.log(max(top, lam) / lam) / np.log(GLMNET_STEP))))
    return np.geomspace(max(top, lam), lam, steps + 1)


def fit_glmnet(
    x: np.ndarray, y: np.ndarray, *, C: float, tol: float, max_iter: int, seed: int
) -> L1Fit:
    """python-glmnet's ``LogitNet`` along :func:`glmnet_path` (seed unused: glmnet is
    deterministic). Not converged when it stopped before the path's end."""
    glmnet = optional_module("glmnet")
    path = glmnet_path(x, y, penalty_strength(C, len(y)))
    estimator = glmnet.LogitNet(
        alpha=1.0,
        lambda_path=path,
        standardize=False,
        fit_intercept=True,
        n_splits=0,
        tol=tol,
        max_iter=max_iter,
    )
    converged = run_catching(lambda: estimator.fit(x, y), RuntimeWarning)
    coef = estimator.coef_path_[..., -1]
    intercept = np.asarray(estimator.intercept_path_)[..., -1].reshape(-1)
    return L1Fit(coef, intercept, None, converged and estimator.n_lambda_ == len(path))


def fit_fista(
    x: np.ndarray, y: np.ndarray, *, C: float, tol: float, max_iter: int, seed: int
) -> L1Fit:
    """FISTA in ``keras.ops`` (imported here: it loads Keras's backend)."""
    from nnbench.models.l1_logit.fista import fista

    return fista(x, y, C=C, tol=tol, max_iter=max_iter)


SOLVERS: dict[str, Solver] = {
    "saga": fit_saga,
    "cyanure": fit_cyanure,
    "glmnet": fit_glmnet,
    "fista": fit_fista,
}
