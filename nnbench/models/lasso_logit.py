"""L1-penalised multinomial logit ("LASSO"), fitted by one of several solvers.

Every solver minimises the same objective, on pixels / 255 (one row per image)::

    F(W, b) = (1/n) sum_i [ log sum_k exp(w_k . x_i + b_k) - (w_{y_i} . x_i + b_{y_i}) ]
              + ||W||_1 / (C n)

(mean log-loss plus the weights' L1 norm over ``C n``, intercepts not penalised: scikit-learn's
objective divided by ``C n``), defined and computed in :mod:`nnbench.models.l1_logit.objective`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.linear_model import LogisticRegression
from typing_extensions import Self

from nnbench.models.base import NO_MONITOR, Monitor, SklearnClassifier, unit_float
from nnbench.models.l1_logit.objective import l1_logit_objective
from nnbench.models.l1_logit.solvers import SOLVERS
from nnbench.models.params import PositiveCount, PositiveNumber

SolverName = Literal["saga", "cyanure", "glmnet", "fista"]


class LassoLogit(SklearnClassifier):
    """Multinomial logit with a pure L1 penalty; ``C`` is the inverse strength.

    ``solver`` picks the solver, and ``tol`` and ``max_iter`` are that solver's own stopping
    tolerance and iteration cap (see :mod:`nnbench.models.l1_logit.solvers`). Stopping at
    ``max_iter`` is recorded as ``converged: False`` rather than warned about. ``info_`` also
    holds the objective F reached on the training data, in float64, and the solver's name.
    """

    def __init__(
        self,
        C: PositiveNumber = 0.1,
        tol: PositiveNumber = 1e-3,
        max_iter: PositiveCount = 30,
        solver: SolverName = "saga",
        seed: int = 0,
    ) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.seed = seed

    def make_estimator(self) -> LogisticRegression:
        """The shell that predicts with a solver's weights (``fit`` sets them)."""
        return LogisticRegression()

    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        pixels = unit_float(x)
        classes, index = np.unique(y, return_inverse=True)
        fit = SOLVERS[self.solver](
            pixels, index, C=self.C, tol=self.tol, max_iter=self.max_iter, seed=self.seed
        )
        shell = self.make_estimator()
        shell.coef_, shell.intercept_ = fit.coef, fit.intercept
        shell.classes_, shell.n_features_in_ = classes, fit.coef.shape[1]
        self.estimator_ = shell
        self.n_classes_ = n_classes
        self.history_ = []
        self.info_ = {
            "converged": fit.converged,
            "n_iter": fit.n_iter,
            "n_nonzero": int(np.count_nonzero(fit.coef)),
            "objective": l1_logit_objective(fit.coef, fit.intercept, pixels, index, self.C),
            "solver": self.solver,
        }
        return self

    def learned_arrays(self) -> list[np.ndarray]:
        return [self.estimator_.coef_, self.estimator_.intercept_]

    def device(self) -> str:
        if self.solver != "fista":
            return "cpu"
        from nnbench.models.keras.predict import keras_device

        return keras_device()
