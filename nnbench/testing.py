"""``check_model``: the model contract as a public checker, like scikit-learn's
``check_estimator``. Test your model with it before you benchmark it::

    from nnbench.testing import check_model
    check_model("my_models.py:TinyCNN")      # or the class or builder function itself

nnbench's own contract tests run every registered model through it.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import numpy as np

from nnbench.datasets import ImageData
from nnbench.errors import ConfigError
from nnbench.models import DataInfo, Model, ModelSpec, Monitor, resolve_model
from nnbench.models.spec import model_spec

UNKNOWN_PARAMETER = "no_such_parameter_nnbench_checks"
DEVICE = re.compile(r"cpu|gpu:.+")


class ModelContractError(AssertionError):
    """A model that breaks the contract; the message names the check and what went wrong."""


def synthetic_digits(seed: int = 0, n_train: int = 240, n_test: int = 90) -> ImageData:
    """A small SYNTHETIC dataset for contract checks: 28 x 28 grey images of 3 classes, each a
    bright bar (horizontal, vertical or diagonal) on noise."""
    rng = np.random.default_rng(seed)

    def split(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(count) % 3
        images = rng.integers(0, 60, (count, 28, 28), dtype=np.uint8)
        rows = np.arange(8, 20)
        for index, label in enumerate(labels):
            if label == 0:
                images[index, 14, rows] = 255
            elif label == 1:
                images[index, rows, 14] = 255
            else:
                images[index, rows, rows] = 255
        return images[..., np.newaxis], labels.astype(np.int64)

    (x_train, y_train), (x_test, y_test) = split(n_train), split(n_test)
    return ImageData(
        "contract-check (synthetic)", x_train, y_train, x_test, y_test, ("-", "|", "\\"), True
    )


def as_spec(model: Any) -> ModelSpec:
    """A name or reference resolved; a Model subclass, classifier class or builder function
    taken as it is."""
    if isinstance(model, str):
        return resolve_model(model)
    name = getattr(model, "__qualname__", type(model).__name__)
    return model_spec(name, model, {"kind": "object", "reference": name})


def quick_params(spec: ModelSpec) -> dict[str, Any]:
    """One epoch for models that have epochs, defaults otherwise."""
    return {"epochs": 1} if "epochs" in spec.parameter_names() else {}


def check(name: str, passed: list[str], condition: bool, problem: str) -> None:
    """Record check ``name`` as passed, or raise ModelContractError with ``problem``."""
    if not condition:
        raise ModelContractError(f"check {name!r} failed: {problem}")
    passed.append(name)


def fitted_predictions(
    spec: ModelSpec, params: dict[str, Any], data: ImageData, seed: int
) -> tuple[Model, np.ndarray]:
    """A model built with ``seed``, fitted on ``data`` the way a run fits it, and its test
    predictions."""
    model = spec.build(params, seed=seed)
    try:
        inspect.signature(model.fit).bind(data.x_train, data.y_train, n_classes=2, monitor=None)
    except TypeError as exc:
        raise ModelContractError(
            f"check 'fit takes a run's arguments' failed: fit(x, y, *, n_classes, monitor) "
            f"cannot be called ({exc})"
        ) from None
    monitor = Monitor(data.x_test, data.y_test)  # as a run passes it
    fitted = model.fit(data.x_train, data.y_train, n_classes=len(data.class_names), monitor=monitor)
    if fitted is not model:
        raise ModelContractError("check 'fit returns self' failed: fit returned another object")
    return model, np.asarray(model.predict(data.x_test))


def check_parameters(spec: ModelSpec, params: dict[str, Any], passed: list[str]) -> None:
    """``__init__`` stores parameters only; get_params reports them; unknown ones are refused."""
    model = spec.build(params, seed=7)
    learned = sorted(name for name in vars(model) if name.endswith("_"))
    check("init stores parameters only", passed, not learned, f"__init__ set {learned}")
    found = model.get_params()
    check(
        "get_params reports the parameters",
        passed,
        set(found) <= set(spec.parameter_names())
        and all(found.get(key) == value for key, value in params.items()),
        f"get_params() gave {found}, parameters {spec.parameter_names()}, given {params}",
    )
    try:
        json.dumps(found)
        serialisable = True
    except TypeError:
        serialisable = False
    check("parameters are JSON", passed, serialisable, f"get_params() gave {found}")
    try:
        spec.build({UNKNOWN_PARAMETER: 1}, seed=0)
        refused = ""
    except ConfigError as exc:
        refused = str(exc)
    check(
        "unknown parameter is named",
        passed,
        UNKNOWN_PARAMETER in refused,
        "building with an unknown parameter did not raise a ConfigError naming it",
    )


def check_fitted(model: Model, predictions: np.ndarray, data: ImageData, passed: list[str]) -> None:
    """Predictions are labels; the fitted model's facts have the types results store."""
    n_test, n_classes = len(data.y_test), len(data.class_names)
    check(
        "predict gives one label per image",
        passed,
        predictions.shape == (n_test,) and predictions.dtype.kind in "iu",
        f"predict gave {predictions.dtype} of shape {predictions.shape} for {n_test} images",
    )
    check(
        "labels are classes",
        passed,
        bool(np.isin(predictions, np.arange(n_classes)).all()),
        f"predict gave labels outside 0..{n_classes - 1}: {sorted(set(predictions.tolist()))}",
    )
    count = model.n_params()
    check(
        "n_params is a count",
        passed,
        count is None or (isinstance(count, (int, np.integer)) and count >= 0),
        f"n_params() gave {count!r}",
    )
    size = model.parameter_bytes()
    check(
        "parameter_bytes is a count of bytes",
        passed,
        size is None or (isinstance(size, (int, np.integer)) and size >= (count or 0)),
        f"parameter_bytes() gave {size!r} for {count!r} parameters (each takes a byte at least)",
    )
    history, info = getattr(model, "history_", None), getattr(model, "info_", None)
    check(
        "history_ and info_ are set",
        passed,
        isinstance(history, list)
        and all(isinstance(row, dict) for row in history)
        and isinstance(info, dict),
        f"after fit, history_ is {history!r} and info_ is {info!r}",
    )
    check(
        "device is cpu or gpu:NAME", passed, bool(DEVICE.fullmatch(model.device())), model.device()
    )


#: the share of test images on which predict_proba's most probable class must be predict's label
#: (a calibrated model, such as scikit-learn's SVC(probability=True), may differ on a few)
PROBABILITY_AGREEMENT = 0.95


def check_probabilities(
    model: Model, predictions: np.ndarray, data: ImageData, passed: list[str]
) -> None:
    """When the model has the optional ``predict_proba``: one row per test image and one
    column per class, non-negative rows that sum to 1, whose most probable class is the label
    ``predict`` gives (on at least :data:`PROBABILITY_AGREEMENT` of the images)."""
    if not hasattr(model, "predict_proba"):
        return
    proba = np.asarray(model.predict_proba(data.x_test), dtype=np.float64)
    shape = (len(data.y_test), len(data.class_names))
    check(
        "predict_proba gives a row per image and class",
        passed,
        proba.shape == shape,
        f"predict_proba gave shape {proba.shape} for {shape[0]} images of {shape[1]} classes",
    )
    sums = proba.sum(axis=1)
    check(
        "probabilities sum to 1",
        passed,
        bool((proba >= 0).all() and np.allclose(sums, 1, atol=1e-4)),
        f"rows sum to {sums.min():.6f} to {sums.max():.6f}, smallest value {proba.min():.3g}",
    )
    agreement = float(np.mean(proba.argmax(axis=1) == predictions))
    check(
        "predict_proba agrees with predict",
        passed,
        agreement >= PROBABILITY_AGREEMENT,
        f"the most probable class is predict's label on only {agreement:.1%} of the images",
    )


#: how far from chance to perfect a model must get on the check's data to have learned it
LEARNING_SHARE = 0.25


def check_learning(
    model: Model, predictions: np.ndarray, data: ImageData, passed: list[str]
) -> None:
    """The fitted model learned the data clearly above chance (a quarter of the way from always
    guessing the most frequent training class to every image right), and its training recorded
    no warning (such as a first-epoch loss far above guessing, from unscaled pixels)."""
    frequent = np.bincount(data.y_train, minlength=len(data.class_names)).argmax()
    chance = float(np.mean(data.y_test == frequent))
    floor = chance + LEARNING_SHARE * (1 - chance)
    accuracy = float(np.mean(predictions == data.y_test))
    warnings = [str(warning) for warning in getattr(model, "warnings_", ())]
    check(
        "learns clearly above chance",
        passed,
        accuracy >= floor and not warnings,
        " ".join(warnings)
        or f"test accuracy {accuracy:.3f} on {data.name}, where always guessing the most "
        f"frequent class scores {chance:.3f}; a model that learns reaches {floor:.3f}",
    )


def check_model(
    model: Any, data: ImageData | None = None, params: dict[str, Any] | None = None
) -> list[str]:
    """Check that ``model`` follows nnbench's model contract; return the checks passed.

    ``model`` is a name or reference (``"my_models.py:NAME"``), or the object itself: a
    :class:`nnbench.models.Model` subclass, a scikit-learn-style classifier class, or a Keras
    builder function. It is built with ``params`` (default: one epoch for models with epochs)
    and fitted on ``data`` (default: :func:`synthetic_digits`). Raises ModelContractError, naming
    the check, at the first rule it breaks; a model that refuses ``data`` (``skip_reason``) is
    checked no further than its parameters.
    """
    spec = as_spec(model)
    data = data or synthetic_digits()
    params = quick_params(spec) if params is None else dict(params)
    passed: list[str] = []
    check_parameters(spec, params, passed)
    info = DataInfo(data.input_shape, data.class_names, len(data.y_train))
    reason = spec.build(params, seed=0).skip_reason(info)
    check(
        "skip_reason is text or None",
        passed,
        reason is None or isinstance(reason, str),
        repr(reason),
    )
    if reason:
        return passed
    fitted, predictions = fitted_predictions(spec, params, data, seed=3)
    passed += ["fit takes a run's arguments", "fit returns self"]
    check_fitted(fitted, predictions, data, passed)
    check_probabilities(fitted, predictions, data, passed)
    check_learning(fitted, predictions, data, passed)
    _, again = fitted_predictions(spec, params, data, seed=3)
    check(
        "same seed, same predictions",
        passed,
        np.array_equal(predictions, again),
        f"two fits with seed 3 disagreed on {int((predictions != again).sum())} images",
    )
    return passed
