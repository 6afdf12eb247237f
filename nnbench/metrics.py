"""Accuracy, overall and per class, as the lecture reports it, with the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def accuracy_report(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]
) -> dict[str, Any]:
    """Overall accuracy, per-class accuracy (share of class j classified as j), the images per
    class (``support``), the confusion matrix (``confusion[true][predicted]`` counts) and n.

    A class with no examples in ``y_true`` gets ``None``. A part of a result still being made
    (see :data:`nnbench.schemas.result.Result`): its ``scores`` are added next.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n_classes = len(class_names)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    totals = confusion.sum(axis=1)
    hits = np.diag(confusion)
    return {
        "accuracy": float(hits.sum() / len(y_true)) if len(y_true) else None,
        "per_class": {
            name: (float(hits[i] / totals[i]) if totals[i] else None)
            for i, name in enumerate(class_names)
        },
        "support": {name: int(totals[i]) for i, name in enumerate(class_names)},
        "confusion": confusion.tolist(),
        "n": int(len(y_true)),
    }
