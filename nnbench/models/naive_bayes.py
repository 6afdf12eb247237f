"""Naive Bayes on the raw [0, 1] pixels (scikit-learn)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB

from nnbench.errors import ConfigError
from nnbench.models.base import EpochCallback, EvalSet, Model, unit_float

VARIANTS = {
    "multinomial": (lambda: MultinomialNB(), ("feature_log_prob_", "class_log_prior_")),
    "bernoulli": (lambda: BernoulliNB(binarize=0.5), ("feature_log_prob_", "class_log_prior_")),
    "gaussian": (lambda: GaussianNB(), ("theta_", "var_", "class_prior_")),
}


class NaiveBayes(Model):
    """Naive Bayes: ``variant`` is multinomial (default), bernoulli (pixels > 0.5) or gaussian."""

    name: ClassVar[str] = "naive_bayes"

    def __init__(self, variant: str = "multinomial", seed: int = 0) -> None:
        self.variant = variant
        self.seed = seed

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        n_classes: int,
        eval_set: EvalSet | None = None,
        on_epoch_end: EpochCallback | None = None,
    ) -> NaiveBayes:
        if self.variant not in VARIANTS:
            raise ConfigError(
                f"naive_bayes variant {self.variant!r} is unknown; "
                f"use one of {', '.join(VARIANTS)}."
            )
        make, self._learned_attributes = VARIANTS[self.variant]
        self.estimator_ = make().fit(unit_float(x), y)
        self.history_: list[dict] = []
        self.info_: dict = {}
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(unit_float(x))

    def n_params(self) -> int:
        return sum(getattr(self.estimator_, name).size for name in self._learned_attributes)
