"""The model under check: what the rules share, built and fitted once, when a rule first needs
it."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnbench.datasets import ImageData
from nnbench.models import DataInfo, Model, Monitor, resolve_model
from nnbench.models.spec import ModelSpec, model_spec
from nnbench.testing.data import synthetic_digits

#: the seed of the fit the rules check (a second fit with it checks determinism)
FIT_SEED = 3


class ModelContractError(AssertionError):
    """A model that breaks the contract. A rule raises it with what went wrong; ``check_model``
    raises it with ``broken``, each broken rule's name and problem, and ``not_checked``, each
    rule that did not apply or could not run, and why."""

    def __init__(
        self,
        message: str,
        broken: Mapping[str, str] | None = None,
        not_checked: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.broken = dict(broken or {})
        self.not_checked = dict(not_checked or {})


class RuleNotApplicable(Exception):
    """A rule that does not apply to the model (it has no ``predict_proba``, it refuses the
    data), or that rests on one it broke; the message says which."""


@dataclass(frozen=True)
class Fit:
    """A model fitted the way a run fits it, what ``fit`` returned, and its test predictions."""

    model: Model
    returned: Any
    predictions: np.ndarray


class ModelUnderCheck:
    """A model the rules check, with the parameters it is built with (default: one epoch for
    models with epochs) and the data it is fitted on (default: :func:`synthetic_digits`; a
    function that returns the data is called when a rule first needs them).

    ``model`` is anything ``check_model`` takes. The model is resolved, built and fitted when a
    rule first needs it, and every rule shares the result.
    """

    def __init__(
        self,
        model: Any,
        params: Mapping[str, Any] | None = None,
        data: ImageData | Callable[[], ImageData] | None = None,
    ) -> None:
        self.target = model
        self.given = None if params is None else dict(params)
        self.source = data

    @property
    def name(self) -> str:
        """The model's name or reference, for test ids and messages."""
        if isinstance(self.target, str):
            return self.target
        return str(getattr(self.target, "__qualname__", type(self.target).__name__))

    def __repr__(self) -> str:
        return self.name

    @functools.cached_property
    def spec(self) -> ModelSpec:
        """A name or reference resolved; a Model subclass, classifier class or builder function
        taken as it is."""
        if isinstance(self.target, str):
            return resolve_model(self.target)
        return model_spec(self.name, self.target, {"kind": "object", "reference": self.name})

    @functools.cached_property
    def params(self) -> dict[str, Any]:
        if self.given is not None:
            return self.given
        return {"epochs": 1} if "epochs" in self.spec.parameter_names() else {}

    @functools.cached_property
    def data(self) -> ImageData:
        if self.source is None:
            return synthetic_digits()
        return self.source if isinstance(self.source, ImageData) else self.source()

    def build(self, params: Mapping[str, Any] | None = None, seed: int = 0) -> Model:
        """A new model built with ``params`` (default: the check's) and ``seed``."""
        return self.spec.build(dict(self.params if params is None else params), seed=seed)

    @functools.cached_property
    def refusal(self) -> object:
        """What ``skip_reason`` gives for the data (a reason, None, or a wrong type)."""
        data = self.data
        info = DataInfo(data.input_shape, data.class_names, len(data.y_train))
        return self.build().skip_reason(info)

    def fit_problem(self) -> str | None:
        """Why ``fit`` cannot be called as a run calls it, or None."""
        try:
            inspect.signature(self.build().fit).bind(
                self.data.x_train, self.data.y_train, n_classes=2, monitor=None
            )
        except TypeError as exc:
            return f"fit(x, y, *, n_classes, monitor) cannot be called ({exc})"
        return None

    def fit(self) -> Fit:
        """A new model built with :data:`FIT_SEED`, fitted as a run fits it, and predicted."""
        if self.refusal:
            raise RuleNotApplicable(f"the model refuses the data: {self.refusal}")
        if self.fit_problem():
            raise RuleNotApplicable("fit cannot be called (check_fit_takes_run_arguments)")
        data, model = self.data, self.build(seed=FIT_SEED)
        monitor = Monitor(data.x_test, data.y_test)  # as a run passes it
        classes = len(data.class_names)
        returned = model.fit(data.x_train, data.y_train, n_classes=classes, monitor=monitor)
        return Fit(model, returned, np.asarray(model.predict(data.x_test)))

    @functools.cached_property
    def outcome(self) -> Fit | Exception:
        """The fit the rules check, made once, or the exception that stopped it."""
        try:
            return self.fit()
        except Exception as exc:  # a rule reports it; the others do not refit
            return exc

    def fitted(self) -> Fit:
        """The fit the rules check; RuleNotApplicable when there is none."""
        outcome = self.outcome
        if isinstance(outcome, RuleNotApplicable):
            raise outcome
        if isinstance(outcome, Exception):
            raise RuleNotApplicable(
                f"fitting and predicting raised {type(outcome).__name__} (check_fit_returns_self)"
            )
        return outcome
