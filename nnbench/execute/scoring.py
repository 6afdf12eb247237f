"""Fitting and scoring one model on one cell's data: the measured fields of its result (metrics
on every split, with the scores beyond accuracy, timing and history) and its per-image test
predictions. With a validation share, the model trains on the rest of the training images, its
history watches the hold-out, and the test set is scored once, after training."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from nnbench import progress
from nnbench.datasets import ImageData
from nnbench.metrics import accuracy_report
from nnbench.models import Model, Monitor
from nnbench.models.base import EpochCallback, class_probabilities
from nnbench.scores import score_metrics
from nnbench.sidecars import Predictions
from nnbench.validation import hold_out, relabel_history


def epoch_reporter(prefix: str, epochs: object, watched: str = "test") -> EpochCallback:
    """A callback that prints one progress line per history row: ``epoch 2/5``, or ``step 40``
    for a model without epochs (L-BFGS's iterations), with the accuracy on the ``watched``
    images ("test", or "val" for a validation hold-out)."""

    def report(row: dict[str, Any]) -> None:
        test = row.get("test_accuracy")
        where = f"epoch {row['epoch']}/{epochs}" if epochs is not None else f"step {row['epoch']}"
        progress.info(
            f"{prefix} · {where} · loss {row['train_loss']:.4f}"
            + (f" · {watched} acc {test:.4f}" if test is not None else "")
            + f" · {row['elapsed_s']:.1f}s"
        )

    return report


def fit_and_score(
    model: Model, data: ImageData, prefix: str, validation: float | None = None
) -> tuple[dict[str, Any], Predictions]:
    """Fit ``model``, time it, and score it: the result's measured fields, and the per-image
    test predictions. With a ``validation`` share, it trains on the rest of the training
    images, its per-epoch history watches the hold-out, and the test set is scored once, after
    training. The time the model spent scoring during fit, and its per-epoch history, are the
    model's own (``eval_during_fit_s_``, ``history_``)."""
    x_train, y_train, watched = data.x_train, data.y_train, (data.x_test, data.y_test)
    if validation is not None:
        split = hold_out(data.x_train, data.y_train, validation)
        x_train, y_train, watched = split.x_train, split.y_train, (split.x_val, split.y_val)
    epochs = model.get_params().get("epochs")
    progress.info(f"{prefix}: fitting on {len(y_train):,} images")
    started = time.perf_counter()
    report = epoch_reporter(prefix, epochs, "val" if validation is not None else "test")
    model.fit(x_train, y_train, n_classes=len(data.class_names), monitor=Monitor(*watched, report))
    fit_wall_s = time.perf_counter() - started
    started = time.perf_counter()
    test_predictions = model.predict(data.x_test)
    predict_s = time.perf_counter() - started
    test, probabilities, warnings = scored(model, data.x_test, data.y_test, data, test_predictions)
    metrics = {"train": accuracy_report(y_train, model.predict(x_train), data.class_names)}
    if validation is not None:
        metrics["validation"] = scored(model, *watched, data)[0]
    timing = fit_phases(model, fit_wall_s - model.eval_during_fit_s_)
    measured = {
        "status": "ok",
        "n_params": model.n_params(),
        "metrics": {**metrics, "test": test},
        "timing": {
            **timing,
            "predict_s": round(predict_s, 4),
            "eval_during_fit_s": round(model.eval_during_fit_s_, 4),
            "score_s": round(time.perf_counter() - started, 4),
        },
        "history": model.history_ if validation is None else relabel_history(model.history_),
        "model_info": model.info_,
        "warnings": [str(warning) for warning in (*model.warnings_, *warnings)],
    }
    return measured, Predictions(data.y_test, np.asarray(test_predictions), probabilities)


def fit_phases(model: Model, fit_s: float) -> dict[str, float]:
    """The fit time (its per-epoch evaluation left out), and its parts: building the model and
    compiling its first step, as the model reports them in ``fit_phases_`` (0 when it does
    not), and training, the rest."""
    build_s = model.fit_phases_.get("build_s", 0.0)
    compile_s = model.fit_phases_.get("compile_s", 0.0)
    return {
        "fit_s": round(fit_s, 4),
        "build_s": round(build_s, 4),
        "compile_s": round(compile_s, 4),
        "train_s": round(max(0.0, fit_s - build_s - compile_s), 4),
    }


def scored(
    model: Model,
    images: np.ndarray,
    labels: np.ndarray,
    data: ImageData,
    predictions: np.ndarray | None = None,
) -> tuple[dict[str, Any], np.ndarray | None, list[str]]:
    """A split's accuracy report with its scores beyond accuracy (see :mod:`nnbench.scores`),
    the model's class probabilities for it, and any warning getting them gave."""
    if predictions is None:
        predictions = model.predict(images)
    probabilities, warnings = probabilities_of(model, images, len(data.class_names))
    report = accuracy_report(labels, predictions, data.class_names)
    report["scores"] = score_metrics(labels, predictions, len(data.class_names), probabilities)
    return report, probabilities, warnings


def probabilities_of(
    model: Model, images: np.ndarray, n_classes: int
) -> tuple[np.ndarray | None, list[str]]:
    """The model's class probabilities for ``images`` (None for a model without
    ``predict_proba``). A ``predict_proba`` that fails, or gives something other than one
    finite row per image and class, leaves them out with a warning: the labels it predicted
    still stand."""
    try:
        probabilities = class_probabilities(model, images)
    except Exception as exc:  # the labels are scored; only the metrics of probabilities go
        problem = f"failed ({type(exc).__name__}: {exc})"
    else:
        shape = (len(images), n_classes)
        if probabilities is None or (
            probabilities.shape == shape and np.isfinite(probabilities).all()
        ):
            return probabilities, []
        problem = f"gave {probabilities.shape} values, not finite {shape}"
    return None, [
        f"predict_proba {problem}, so the metrics that need probabilities (log-loss, Brier "
        "score, calibration, ROC-AUC) are left out"
    ]
