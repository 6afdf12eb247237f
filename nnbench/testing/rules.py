"""The model contract, one rule a function: ``check_NAME(model)`` raises ModelContractError
when the :class:`ModelUnderCheck` breaks the rule, and RuleNotApplicable when the rule does not
apply to it. :func:`all_checks` lists them, in the order ``check_model`` runs them."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable

import numpy as np

from nnbench.errors import ConfigError
from nnbench.testing.subject import (
    FIT_SEED,
    ModelContractError,
    ModelUnderCheck,
    RuleNotApplicable,
)

Rule = Callable[[ModelUnderCheck], None]
UNKNOWN_PARAMETER = "no_such_parameter_nnbench_checks"
DEVICE = re.compile(r"cpu|gpu:.+")
#: the share of test images on which predict_proba's most probable class must be predict's label
#: (a calibrated model, such as scikit-learn's SVC(probability=True), may differ on a few)
PROBABILITY_AGREEMENT = 0.95
#: how far from chance to perfect a model must get on the check's data to have learned it
LEARNING_SHARE = 0.25


def require(condition: bool, problem: str) -> None:
    """Raise ModelContractError with ``problem`` unless ``condition``."""
    if not condition:
        raise ModelContractError(problem)


def check_init_stores_parameters_only(model: ModelUnderCheck) -> None:
    """``__init__`` stores parameters only: no learned attribute (ending in ``_``)."""
    learned = sorted(name for name in vars(model.build(seed=7)) if name.endswith("_"))
    require(not learned, f"__init__ set {learned}")


def check_get_params_reports_parameters(model: ModelUnderCheck) -> None:
    """``get_params`` reports every parameter given, with its value, and names no other than
    the model's (any, for a model whose signature ends in ``**kwargs``)."""
    found, names = model.build(seed=7).get_params(), model.spec.parameter_names()
    foreign = [] if model.spec.takes_any() else sorted(set(found) - set(names))
    lost = [key for key, value in model.params.items() if key not in found or found[key] != value]
    require(
        not foreign and not lost,
        f"get_params() gave {found}, parameters {names}, given {model.params}",
    )


def check_parameters_are_json(model: ModelUnderCheck) -> None:
    """The parameters ``get_params`` reports can be written to a result file (JSON)."""
    found = model.build(seed=7).get_params()
    try:
        json.dumps(found)
    except (TypeError, ValueError) as exc:
        raise ModelContractError(f"get_params() gave {found} ({exc})") from None


def check_unknown_parameter_is_named(model: ModelUnderCheck) -> None:
    """Building with a parameter the model does not take is a ConfigError that names it."""
    if model.spec.takes_any():
        raise RuleNotApplicable("the model's signature ends in **kwargs: it takes any parameter")
    try:
        model.build({UNKNOWN_PARAMETER: 1})
        refused = ""
    except ConfigError as exc:
        refused = str(exc)
    require(
        UNKNOWN_PARAMETER in refused,
        "building with an unknown parameter did not raise a ConfigError naming it",
    )


def check_skip_reason_is_text(model: ModelUnderCheck) -> None:
    """``skip_reason`` gives a reason (text) or None."""
    require(model.refusal is None or isinstance(model.refusal, str), repr(model.refusal))


def check_fit_takes_run_arguments(model: ModelUnderCheck) -> None:
    """``fit(x, y, *, n_classes, monitor)`` can be called as a run calls it."""
    problem = model.fit_problem()
    require(problem is None, problem or "")


def check_fit_returns_self(model: ModelUnderCheck) -> None:
    """``fit`` returns the model itself (and fitting, then predicting, raises nothing)."""
    outcome = model.outcome
    if isinstance(outcome, RuleNotApplicable):
        raise outcome
    if isinstance(outcome, Exception):
        problem = f"fitting and predicting raised {type(outcome).__name__}: {outcome}"
        raise ModelContractError(problem) from outcome
    require(outcome.returned is outcome.model, "fit returned another object")


def check_predict_gives_labels(model: ModelUnderCheck) -> None:
    """``predict`` gives one integer label per image."""
    predictions, n_test = model.fitted().predictions, len(model.data.y_test)
    require(
        predictions.shape == (n_test,) and predictions.dtype.kind in "iu",
        f"predict gave {predictions.dtype} of shape {predictions.shape} for {n_test} images",
    )


def check_labels_are_classes(model: ModelUnderCheck) -> None:
    """Every predicted label is one of the data's classes."""
    predictions, n_classes = model.fitted().predictions, len(model.data.class_names)
    outside = sorted(set(predictions.tolist()) - set(range(n_classes)))
    shown = ", ".join(map(str, outside[:5])) + (", ..." if len(outside) > 5 else "")
    require(
        not outside,
        f"predict gave {len(outside)} labels outside 0..{n_classes - 1}: [{shown}]",
    )


def check_n_params_is_count(model: ModelUnderCheck) -> None:
    """``n_params`` gives a count (or None: not known)."""
    count = model.fitted().model.n_params()
    require(is_count(count), f"n_params() gave {count!r}")


def check_parameter_bytes_is_count(model: ModelUnderCheck) -> None:
    """``parameter_bytes`` gives None or a count of bytes, at least one per parameter."""
    fitted = model.fitted().model
    size, count = fitted.parameter_bytes(), fitted.n_params()
    require(
        size is None or (is_count(size) and size >= (count or 0)),
        f"parameter_bytes() gave {size!r} for {count!r} parameters (each takes a byte at least)",
    )


def check_history_and_info_set(model: ModelUnderCheck) -> None:
    """After ``fit``, ``history_`` is a list of rows (dicts) and ``info_`` a dict."""
    fitted = model.fitted().model
    history, info = getattr(fitted, "history_", None), getattr(fitted, "info_", None)
    require(
        isinstance(history, list)
        and all(isinstance(row, dict) for row in history)
        and isinstance(info, dict),
        f"after fit, history_ is {history!r} and info_ is {info!r}",
    )


def check_device_is_named(model: ModelUnderCheck) -> None:
    """``device`` gives "cpu" or "gpu:NAME"."""
    device = model.fitted().model.device()
    require(isinstance(device, str) and bool(DEVICE.fullmatch(device)), repr(device))


def probabilities(model: ModelUnderCheck) -> np.ndarray:
    """The fitted model's ``predict_proba`` of the test images; RuleNotApplicable without it."""
    fitted = model.fitted().model
    if not hasattr(fitted, "predict_proba"):
        raise RuleNotApplicable("the model has no predict_proba")
    return np.asarray(fitted.predict_proba(model.data.x_test), dtype=np.float64)


def check_proba_shape(model: ModelUnderCheck) -> None:
    """``predict_proba`` (optional) gives one row per image and one column per class."""
    shape = (len(model.data.y_test), len(model.data.class_names))
    found = probabilities(model).shape
    require(
        found == shape,
        f"predict_proba gave shape {found} for {shape[0]} images of {shape[1]} classes",
    )


def check_proba_sums_to_one(model: ModelUnderCheck) -> None:
    """``predict_proba`` (optional) gives non-negative rows that sum to 1."""
    proba = probabilities(model)
    sums = proba.sum(axis=1)
    require(
        bool((proba >= 0).all() and np.allclose(sums, 1, atol=1e-4)),
        f"rows sum to {sums.min():.6f} to {sums.max():.6f}, smallest value {proba.min():.3g}",
    )


def check_proba_agrees_with_predict(model: ModelUnderCheck) -> None:
    """``predict_proba``'s (optional) most probable class is ``predict``'s label on at least
    :data:`PROBABILITY_AGREEMENT` of the images."""
    proba, predictions = probabilities(model), model.fitted().predictions
    agreement = float(np.mean(proba.argmax(axis=1) == predictions))
    require(
        agreement >= PROBABILITY_AGREEMENT,
        f"the most probable class is predict's label on only {agreement:.1%} of the images",
    )


def check_learns_above_chance(model: ModelUnderCheck) -> None:
    """The model learns the data clearly above chance (a quarter of the way from always
    guessing the most frequent training class to every image right), and its training records
    no warning (such as a first-epoch loss far above guessing, from unscaled pixels)."""
    fit, data = model.fitted(), model.data
    frequent = np.bincount(data.y_train, minlength=len(data.class_names)).argmax()
    chance = float(np.mean(data.y_test == frequent))
    floor = chance + LEARNING_SHARE * (1 - chance)
    accuracy = float(np.mean(fit.predictions == data.y_test))
    warnings = [str(warning) for warning in getattr(fit.model, "warnings_", ())]
    require(
        accuracy >= floor and not warnings,
        " ".join(warnings)
        or f"test accuracy {accuracy:.3f} on {data.name}, where always guessing the most "
        f"frequent class scores {chance:.3f}; a model that learns reaches {floor:.3f}",
    )


def check_same_seed_same_predictions(model: ModelUnderCheck) -> None:
    """Two fits with the same seed predict the same labels."""
    predictions = model.fitted().predictions
    again = model.fit().predictions
    require(
        np.array_equal(predictions, again),
        f"two fits with seed {FIT_SEED} disagreed on {int((predictions != again).sum())} images",
    )


def is_count(value: object) -> bool:
    """Whether ``value`` is None or a non-negative whole number."""
    return value is None or (isinstance(value, (int, np.integer)) and bool(value >= 0))


def all_checks() -> tuple[Rule, ...]:
    """Every rule (each ``check_*`` function of this module), in the order they are defined."""
    module = vars(sys.modules[__name__])
    return tuple(rule for name, rule in module.items() if name.startswith("check_"))
