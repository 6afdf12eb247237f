"""Metrics beyond accuracy for one cell, from its test labels, predicted labels and (optionally)
class probabilities: balanced accuracy, macro-F1, log loss, Brier score, expected calibration
error, top-2 accuracy and ROC-AUC. Every metric sklearn has is computed by ``sklearn.metrics``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn import metrics as skm

from nnbench.errors import ConfigError
from nnbench.registry import unknown

ECE_BINS = 15


@dataclass(frozen=True)
class MetricInfo:
    """A metric's name, its label in tables, which way is better, whether it needs class
    probabilities, and a one-line description for docs and ``--help``."""

    name: str
    label: str
    higher_is_better: bool
    needs_probabilities: bool
    description: str


METRICS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("accuracy", "accuracy", True, False, "share of images classified correctly"),
        MetricInfo(
            "balanced_accuracy",
            "balanced accuracy",
            True,
            False,
            "mean over the classes present in the test labels of the recall of each",
        ),
        MetricInfo(
            "macro_f1",
            "macro F1",
            True,
            False,
            "unweighted mean of the per-class F1 over all classes (0 for an undefined F1)",
        ),
        MetricInfo(
            "log_loss",
            "log loss",
            False,
            True,
            "mean negative natural log of the probability given to the true class",
        ),
        MetricInfo(
            "brier",
            "Brier score",
            False,
            True,
            "mean over images of the summed squared gaps between probabilities and one-hot truth",
        ),
        MetricInfo(
            "ece",
            "ECE",
            False,
            True,
            f"expected calibration error of the top probability, {ECE_BINS} equal-width bins",
        ),
        MetricInfo(
            "top2_accuracy",
            "top-2 accuracy",
            True,
            True,
            "share of images whose true class is among the two most probable (over 2 classes)",
        ),
        MetricInfo(
            "roc_auc",
            "ROC-AUC",
            True,
            True,
            "area under the ROC curve of the probability of class 1 (two classes only)",
        ),
    )
}

# the metrics that exist only for some numbers of classes
_CLASS_COUNT_RULES: dict[str, Callable[[int], bool]] = {
    "top2_accuracy": lambda n_classes: n_classes > 2,
    "roc_auc": lambda n_classes: n_classes == 2,
}

# (y_true, y_pred, labels) -> value
_FROM_LABELS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "accuracy": lambda y_true, y_pred, labels: skm.accuracy_score(y_true, y_pred),
    "balanced_accuracy": lambda y_true, y_pred, labels: _balanced_accuracy(y_true, y_pred),
    "macro_f1": lambda y_true, y_pred, labels: skm.f1_score(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    ),
}

# (y_true, probabilities, labels) -> value
_FROM_PROBABILITIES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "log_loss": lambda y_true, proba, labels: skm.log_loss(y_true, proba, labels=labels),
    # sklearn >= 1.7: with a (n, n_classes) array and scale_by_half=False this is exactly
    # mean_i sum_c (p_ic - y_ic)^2, in [0, 2] for any number of classes (for two classes, twice
    # the customary binary Brier score, which sklearn's default scale_by_half="auto" would give)
    "brier": lambda y_true, proba, labels: skm.brier_score_loss(
        y_true, proba, labels=labels, scale_by_half=False
    ),
    "ece": lambda y_true, proba, labels: expected_calibration_error(y_true, proba),
    "top2_accuracy": lambda y_true, proba, labels: skm.top_k_accuracy_score(
        y_true, proba, k=2, labels=labels
    ),
    "roc_auc": lambda y_true, proba, labels: skm.roc_auc_score(y_true, proba[:, 1]),
}


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin ``(low, high]`` of a reliability diagram: the images whose top probability falls
    in it, their mean top probability and their accuracy (both ``None`` for an empty bin)."""

    low: float
    high: float
    count: int
    confidence: float | None
    accuracy: float | None


def metric_info(name: str) -> MetricInfo:
    """The metric called ``name``; a ConfigError naming the available ones if there is none."""
    if name in METRICS:
        return METRICS[name]
    raise ConfigError(unknown("metric", name, list(METRICS)))


def applicable_metrics(n_classes: int, has_probabilities: bool) -> list[str]:
    """The metrics, in METRICS order, that a cell with ``n_classes`` classes and with or without
    class probabilities has: top-2 accuracy needs more than two classes, ROC-AUC exactly two."""
    return [
        name
        for name, info in METRICS.items()
        if (has_probabilities or not info.needs_probabilities)
        and (name not in _CLASS_COUNT_RULES or _CLASS_COUNT_RULES[name](n_classes))
    ]


def score_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    n_classes: int,
    probabilities: np.ndarray | None = None,
) -> dict[str, float]:
    """Every metric that applies to the cell, as floats rounded to 6 decimals, in METRICS order.

    Labels are ``0 .. n_classes - 1``; a class absent from ``y_true`` still counts in macro-F1
    (with F1 0 where undefined), log loss, Brier and top-2. ROC-AUC is left out when ``y_true``
    holds one class only, where it is undefined. ``probabilities`` has shape
    ``(n, n_classes)``; it is cast to float64 and each row renormalised to sum to 1, since
    float16 storage rounding leaves row sums off by up to ~1e-3 (see ``_as_probabilities``).
    """
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred", len(y_true))
    proba = None
    if probabilities is not None:
        proba = _as_probabilities(probabilities, len(y_true), n_classes)
    labels = np.arange(n_classes)
    names = applicable_metrics(n_classes, proba is not None)
    scores = {
        name: _FROM_LABELS[name](y_true, y_pred, labels) for name in names if name in _FROM_LABELS
    }
    if proba is not None:
        one_class = np.unique(y_true).size < 2
        scores |= {
            name: _FROM_PROBABILITIES[name](y_true, proba, labels)
            for name in names
            if name in _FROM_PROBABILITIES and not (name == "roc_auc" and one_class)
        }
    return {name: round(float(value), 6) for name, value in scores.items()}


def expected_calibration_error(
    y_true: np.ndarray, probabilities: np.ndarray, bins: int = ECE_BINS
) -> float:
    """Expected calibration error (Guo et al. 2017, "On Calibration of Modern Neural Networks"),
    with equal-width bins.

    Each image's confidence is its largest probability, and it is correct when the argmax equals
    its true label. ``[0, 1]`` is cut into ``bins`` equal-width bins ``(k/bins, (k+1)/bins]``,
    the first also holding 0. Then ``ECE = sum over bins of (count / n) * |accuracy - mean
    confidence|``, the bins' accuracy and mean confidence taken over the images in them (empty
    bins add nothing). Probabilities are prepared as in :func:`score_metrics`.
    """
    _, counts, confidence_sums, correct_sums = _bin_totals(y_true, probabilities, bins)
    return float(np.abs(correct_sums - confidence_sums).sum() / counts.sum())


def reliability_bins(
    y_true: np.ndarray, probabilities: np.ndarray, bins: int = ECE_BINS
) -> list[ReliabilityBin]:
    """The bins of :func:`expected_calibration_error`, for a reliability diagram: the ECE is
    ``sum(b.count * |b.accuracy - b.confidence|) / n`` over the non-empty bins ``b``."""
    edges, counts, confidence_sums, correct_sums = _bin_totals(y_true, probabilities, bins)
    return [
        ReliabilityBin(
            low=float(edges[k]),
            high=float(edges[k + 1]),
            count=int(counts[k]),
            confidence=float(confidence_sums[k] / counts[k]) if counts[k] else None,
            accuracy=float(correct_sums[k] / counts[k]) if counts[k] else None,
        )
        for k in range(bins)
    ]


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """sklearn's balanced accuracy, without its warning that ``y_pred`` holds a class absent from
    ``y_true``: averaging over the classes present is the documented definition, not a fault."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
        return float(skm.balanced_accuracy_score(y_true, y_pred))


def _bin_totals(
    y_true: np.ndarray, probabilities: np.ndarray, bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bin edges, and per bin the image count, sum of confidences and number correct."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    y_true = _as_labels(y_true, "y_true")
    proba = _as_probabilities(probabilities, len(y_true))
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # side="left" puts a confidence equal to an edge into the bin that edge closes
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    return (
        edges,
        np.bincount(index, minlength=bins),
        np.bincount(index, weights=confidence, minlength=bins),
        np.bincount(index, weights=correct, minlength=bins),
    )


def _as_labels(labels: np.ndarray, name: str, n: int | None = None) -> np.ndarray:
    """``labels`` as an array of shape ``(n,)`` (any n >= 1 when ``n`` is None), or a ValueError."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or (n is not None and labels.size != n):
        expected = "(n,) with n >= 1" if n is None else str((n,))
        raise ValueError(f"expected {name} of shape {expected}, got {labels.shape}")
    return labels


def _as_probabilities(
    probabilities: np.ndarray, n: int, n_classes: int | None = None
) -> npt.NDArray[np.float64]:
    """``probabilities`` checked to have shape ``(n, n_classes)`` (any n_classes >= 1 when it is
    None), cast to float64 and with each row divided by its sum.

    Stored probabilities may be float16, whose rounding (about 3 significant digits) leaves rows
    summing to 1 only within ~1e-3: sklearn would then compute log loss in float16 and, once
    cast to float64, warn that rows do not sum to one. Renormalising in float64 fixes both.
    """
    probabilities = np.asarray(probabilities)
    shape = probabilities.shape
    width_ok = len(shape) == 2 and (shape[1] >= 1 if n_classes is None else shape[1] == n_classes)
    if not width_ok or shape[0] != n:
        expected = f"({n}, {'n_classes' if n_classes is None else n_classes})"
        raise ValueError(f"expected probabilities of shape {expected}, got {shape}")
    proba = probabilities.astype(np.float64)
    totals: npt.NDArray[np.float64] = proba.sum(axis=1, keepdims=True)
    return proba / totals
