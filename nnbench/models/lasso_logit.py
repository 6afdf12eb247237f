"""L1-penalised multinomial logit ("LASSO") with scikit-learn's saga solver."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from nnbench.models.base import EpochCallback, EvalSet, Model, unit_float


class LassoLogit(Model):
    """Multinomial logit with a pure L1 penalty (``l1_ratio=1``); ``C`` is the inverse strength."""

    name: ClassVar[str] = "lasso_logit"

    def __init__(
        self, C: float = 0.1, tol: float = 1e-3, max_iter: int = 30, seed: int = 0
    ) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        n_classes: int,
        eval_set: EvalSet | None = None,
        on_epoch_end: EpochCallback | None = None,
    ) -> LassoLogit:
        self.estimator_ = LogisticRegression(
            C=self.C,
            l1_ratio=1.0,
            solver="saga",
            tol=self.tol,
            max_iter=self.max_iter,
            random_state=self.seed,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            self.estimator_.fit(unit_float(x), y)
        converged = True
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                converged = False
            else:  # pass every other warning on unchanged
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        self.history_: list[dict] = []
        self.info_ = {
            "converged": converged,
            "n_iter": int(np.max(self.estimator_.n_iter_)),
            "n_nonzero": int(np.count_nonzero(self.estimator_.coef_)),
        }
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(unit_float(x))

    def n_params(self) -> int:
        return int(self.estimator_.coef_.size + self.estimator_.intercept_.size)
