"""Naive Bayes on the raw [0, 1] pixels (scikit-learn)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

import numpy as np
from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB

from nnbench.models.base import SklearnClassifier

#: the variants, as the parameter's declared type
Variant = Literal["multinomial", "bernoulli", "gaussian"]
#: variant -> (estimator factory, the fitted arrays that make up its parameters)
VARIANTS: dict[Variant, tuple[Callable[[], Any], tuple[str, ...]]] = {
    "multinomial": (MultinomialNB, ("feature_log_prob_", "class_log_prior_")),
    "bernoulli": (lambda: BernoulliNB(binarize=0.5), ("feature_log_prob_", "class_log_prior_")),
    "gaussian": (GaussianNB, ("theta_", "var_", "class_prior_")),
}


class NaiveBayes(SklearnClassifier):
    """Naive Bayes: ``variant`` is multinomial (default), bernoulli (pixels > 0.5) or gaussian.

    It learns chunk by chunk: the multinomial and Bernoulli counts add up exactly (the Gaussian
    variant's variance floor comes from the last chunk).
    """

    incremental: ClassVar[bool] = True

    def __init__(self, variant: Variant = "multinomial", seed: int = 0) -> None:
        self.variant = variant
        self.seed = seed

    def make_estimator(self) -> Any:
        return VARIANTS[self.variant][0]()

    def learned_arrays(self) -> list[np.ndarray]:
        return [getattr(self.estimator_, name) for name in VARIANTS[self.variant][1]]
