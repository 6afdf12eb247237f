"""Accuracy, overall and per class, as the seed reports it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def accuracy_report(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]) -> dict:
    """Overall accuracy, per-class accuracy (share of class j classified as j) and count.

    A class with no examples in ``y_true`` gets ``None``.
    """
    y_true = np.asarray(y_true)
    correct = y_true == np.asarray(y_pred)
    n_classes = len(class_names)
    totals = np.bincount(y_true, minlength=n_classes)
    hits = np.bincount(y_true, weights=correct, minlength=n_classes)
    return {
        "accuracy": float(correct.mean()) if len(y_true) else None,
        "per_class": {
            name: (float(hits[i] / totals[i]) if totals[i] else None)
            for i, name in enumerate(class_names)
        },
        "n": int(len(y_true)),
    }
