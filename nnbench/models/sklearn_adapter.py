"""Any scikit-learn-style classifier class as a model, through the adapter the baselines use."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnbench.models.base import SklearnClassifier, constructor_parameters
from nnbench.schemas.result import as_json

#: the constructor parameter that takes the cell's seed, when the user leaves it unset
RANDOM_STATE = "random_state"


def class_defaults(estimator_class: type) -> dict[str, Any]:
    """The constructor's parameters that have defaults, with those defaults."""
    return {
        name: parameter.default
        for name, parameter in constructor_parameters(estimator_class).items()
        if parameter.default is not parameter.empty
    }


def count_learned(estimator: Any) -> int | None:
    """Learned parameters of a fitted estimator: coefficients and intercepts of a linear model,
    nodes of a tree or of a tree ensemble; None for any other kind."""
    if hasattr(estimator, "coef_"):
        return int(np.size(estimator.coef_) + np.size(getattr(estimator, "intercept_", ())))
    if hasattr(estimator, "tree_"):
        return int(estimator.tree_.node_count)
    members = getattr(estimator, "estimators_", None)
    if members is None:
        return None
    counts = [count_learned(member) for member in np.ravel(np.asarray(members, dtype=object))]
    known = [count for count in counts if count is not None]
    return sum(known) if known and len(known) == len(counts) else None


class SklearnEstimator(SklearnClassifier):
    """A scikit-learn-style classifier class (``fit(X, y)``, ``predict(X)``) with its
    constructor parameters; the cell's seed goes to ``random_state`` when the class takes one
    and ``params`` do not set it."""

    def __init__(self, estimator: type, params: dict[str, Any], seed: int = 0) -> None:
        self.estimator = estimator
        self.params = params
        self.seed = seed

    def seeded(self) -> bool:
        """Whether the seed sets ``random_state``."""
        takes = RANDOM_STATE in constructor_parameters(self.estimator)
        return takes and RANDOM_STATE not in self.params

    def make_estimator(self) -> Any:
        seed = {RANDOM_STATE: self.seed} if self.seeded() else {}
        return self.estimator(**self.params, **seed)

    def check_params(self) -> None:
        """Check the parameters against the constraints a scikit-learn estimator declares
        (``_parameter_constraints``), as its ``fit`` would first: before anything trains."""
        estimator = self.make_estimator()
        validate = getattr(estimator, "_validate_params", None)  # scikit-learn >= 1.2
        if getattr(estimator, "_parameter_constraints", None) and callable(validate):
            validate()

    def get_params(self) -> dict[str, Any]:
        """The constructor's defaults overridden by ``params``; ``random_state`` only when it
        was given (else it is the seed, stored on its own)."""
        params = {**class_defaults(self.estimator), **self.params}
        if self.seeded():
            params.pop(RANDOM_STATE, None)
        stored: dict[str, Any] = as_json(params)
        return stored

    def n_params(self) -> int | None:
        return count_learned(self.estimator_)

    def learned_arrays(self) -> list[np.ndarray] | None:
        """A linear model's coefficients and intercepts (trees are counted in nodes, which
        have no one dtype: their bytes are left to the saved file's size)."""
        if not hasattr(self.estimator_, "coef_"):
            return None
        intercept = getattr(self.estimator_, "intercept_", ())
        return [np.asarray(self.estimator_.coef_), np.asarray(intercept)]
