"""Accuracy, per class, support and the confusion matrix, exact on a small hand-made case."""

from __future__ import annotations

import numpy as np

from nnbench.metrics import accuracy_report


def test_accuracy_report_counts_every_true_and_predicted_pair():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 1, 0, 1, 0, 1])
    assert accuracy_report(y_true, y_pred, ["a", "b", "c", "d"]) == {
        "accuracy": 3 / 6,
        "per_class": {"a": 2 / 3, "b": 1 / 2, "c": 0.0, "d": None},  # no "d" images
        "support": {"a": 3, "b": 2, "c": 1, "d": 0},
        "confusion": [[2, 1, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]],
        "n": 6,
    }
