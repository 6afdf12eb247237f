"""L1-penalised multinomial logit ("LASSO") with scikit-learn's saga solver."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from nnbench.models.base import NO_MONITOR, ModelT, Monitor, SklearnClassifier
from nnbench.models.params import PositiveCount, PositiveNumber


class LassoLogit(SklearnClassifier):
    """Multinomial logit with a pure L1 penalty (``l1_ratio=1``); ``C`` is the inverse strength.

    Stopping at ``max_iter`` is recorded as ``converged: False`` rather than warned about.
    """

    def __init__(
        self,
        C: PositiveNumber = 0.1,
        tol: PositiveNumber = 1e-3,
        max_iter: PositiveCount = 30,
        seed: int = 0,
    ) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    def make_estimator(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C,
            l1_ratio=1.0,
            solver="saga",
            tol=self.tol,
            max_iter=self.max_iter,
            random_state=self.seed,
        )

    def fit(
        self: ModelT, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> ModelT:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            super().fit(x, y, n_classes=n_classes, monitor=monitor)
        converged = True
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                converged = False
            else:  # pass every other warning on unchanged
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        self.info_ = {
            "converged": converged,
            "n_iter": int(np.max(self.estimator_.n_iter_)),
            "n_nonzero": int(np.count_nonzero(self.estimator_.coef_)),
        }
        return self

    def n_params(self) -> int:
        return int(self.estimator_.coef_.size + self.estimator_.intercept_.size)
