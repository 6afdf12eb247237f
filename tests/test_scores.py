"""Metrics beyond accuracy: each equals sklearn.metrics called directly, ECE equals a hand
computation and its reliability bins, and bad names and shapes fail clearly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from nnbench.errors import ConfigError
from nnbench.scores import (
    ECE_BINS,
    METRICS,
    ReliabilityBin,
    applicable_metrics,
    expected_calibration_error,
    metric_info,
    reliability_bins,
    score_metrics,
)


def _cell(n_classes: int, n: int = 400, seed: int = 0):
    """Random labels, softmax probabilities of random logits and their argmax predictions."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(n, n_classes))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return rng.integers(0, n_classes, size=n), proba.argmax(axis=1), proba


def _ece_by_loop(y_true, proba, bins):
    """ECE written out image by image, independently of nnbench.scores."""
    total = 0.0
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        members = [
            i for i, p in enumerate(proba) if (low < p.max() <= high) or (k == 0 and p.max() == 0.0)
        ]
        if members:
            confidence = np.mean([proba[i].max() for i in members])
            accuracy = np.mean([proba[i].argmax() == y_true[i] for i in members])
            total += len(members) / len(y_true) * abs(accuracy - confidence)
    return total


def _sklearn_scores(y_true, y_pred, proba, n_classes):
    labels = list(range(n_classes))
    expected = {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
        "macro_f1": skm.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0),
        "log_loss": skm.log_loss(y_true, proba, labels=labels),
        "brier": skm.brier_score_loss(y_true, proba, labels=labels, scale_by_half=False),
        "ece": _ece_by_loop(y_true, proba, ECE_BINS),
    }
    if n_classes > 2:
        expected["top2_accuracy"] = skm.top_k_accuracy_score(y_true, proba, k=2, labels=labels)
    else:
        expected["roc_auc"] = skm.roc_auc_score(y_true, proba[:, 1])
    return expected


@pytest.mark.parametrize("n_classes", [2, 10])
def test_every_metric_equals_sklearn_called_directly(n_classes):
    y_true, y_pred, proba = _cell(n_classes)
    scores = score_metrics(y_true, y_pred, n_classes, proba)
    expected = _sklearn_scores(y_true, y_pred, proba, n_classes)
    assert list(scores) == [name for name in METRICS if name in expected]
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, abs=5e-7), name
        assert isinstance(scores[name], float)
    assert 0.0 < scores["accuracy"] < 0.8  # random labels: no trivially perfect scores


@pytest.mark.parametrize("n_classes", [2, 10])
def test_brier_is_the_mean_summed_squared_gap_to_one_hot_truth(n_classes):
    y_true, y_pred, proba = _cell(n_classes, seed=1)
    by_hand = ((proba - np.eye(n_classes)[y_true]) ** 2).sum(axis=1).mean()
    assert score_metrics(y_true, y_pred, n_classes, proba)["brier"] == pytest.approx(
        by_hand, abs=5e-7
    )


def test_without_probabilities_only_the_label_metrics_are_scored():
    y_true, y_pred, _ = _cell(10)
    scores = score_metrics(y_true, y_pred, 10)
    assert list(scores) == ["accuracy", "balanced_accuracy", "macro_f1"]
    assert scores["balanced_accuracy"] == round(skm.balanced_accuracy_score(y_true, y_pred), 6)


def test_applicable_metrics_depend_on_class_count_and_probabilities():
    assert applicable_metrics(2, True) == [
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "log_loss",
        "brier",
        "ece",
        "roc_auc",
    ]
    assert applicable_metrics(10, True)[-1] == "top2_accuracy"
    assert "roc_auc" not in applicable_metrics(10, True)
    assert "top2_accuracy" not in applicable_metrics(2, True)
    assert applicable_metrics(10, False) == ["accuracy", "balanced_accuracy", "macro_f1"]


def test_top2_absent_for_two_classes_and_roc_auc_absent_for_ten():
    y_true, y_pred, proba = _cell(2)
    assert "top2_accuracy" not in score_metrics(y_true, y_pred, 2, proba)
    y_true, y_pred, proba = _cell(10)
    assert "roc_auc" not in score_metrics(y_true, y_pred, 10, proba)


def test_loss_metrics_are_lower_is_better_and_need_probabilities():
    for name in ("log_loss", "brier", "ece"):
        assert not METRICS[name].higher_is_better
        assert METRICS[name].needs_probabilities
    assert METRICS["balanced_accuracy"].label == "balanced accuracy"
    assert all(info.name == name for name, info in METRICS.items())


# 3 classes, bins of width 0.2: two images in (0.8, 1], one right (0.9) and one wrong (0.85);
# two in (0.4, 0.6], one right (0.5) and one wrong (0.45).
# ECE = 2/4 * |1/2 - 0.875| + 2/4 * |1/2 - 0.475| = 0.1875 + 0.0125 = 0.2
HAND_TRUE = np.array([0, 1, 1, 2])
HAND_PROBA = np.array([[0.9, 0.05, 0.05], [0.85, 0.1, 0.05], [0.3, 0.5, 0.2], [0.15, 0.45, 0.4]])


def test_ece_equals_the_hand_computed_value():
    assert expected_calibration_error(HAND_TRUE, HAND_PROBA, bins=5) == pytest.approx(0.2)


def test_reliability_bins_on_the_hand_example():
    assert reliability_bins(HAND_TRUE, HAND_PROBA, bins=5) == [
        ReliabilityBin(0.0, 0.2, 0, None, None),
        ReliabilityBin(0.2, 0.4, 0, None, None),
        ReliabilityBin(0.4, pytest.approx(0.6), 2, pytest.approx(0.475), 0.5),
        ReliabilityBin(pytest.approx(0.6), 0.8, 0, None, None),
        ReliabilityBin(0.8, 1.0, 2, pytest.approx(0.875), 0.5),
    ]


def test_a_confidence_on_a_bin_edge_goes_to_the_bin_it_closes():
    bins = reliability_bins(np.array([0, 0]), np.array([[0.4, 0.3, 0.3], [1.0, 0.0, 0.0]]), 5)
    assert [b.count for b in bins] == [0, 1, 0, 0, 1]


def test_ece_of_a_perfectly_calibrated_case_is_zero():
    # 10 images at confidence 0.7 with 7 right, 10 at 0.9 with 9 right
    proba = np.array([[0.7, 0.3]] * 10 + [[0.1, 0.9]] * 10)
    y_true = np.array([0] * 7 + [1] * 3 + [1] * 9 + [0])
    assert expected_calibration_error(y_true, proba) == pytest.approx(0.0, abs=1e-12)
    y_true[0] = 1  # one more wrong in the 0.7 bin: 6/10 right, gap 0.1 over half the images
    assert expected_calibration_error(y_true, proba) == pytest.approx(0.05)


@pytest.mark.parametrize("bins", [ECE_BINS, 7])
def test_ece_equals_the_weighted_gap_of_the_reliability_bins(bins):
    y_true, _, proba = _cell(10, seed=2)
    weighted_gap = sum(
        b.count * abs(b.accuracy - b.confidence)
        for b in reliability_bins(y_true, proba, bins)
        if b.count
    ) / len(y_true)
    ece = expected_calibration_error(y_true, proba, bins)
    assert ece == pytest.approx(weighted_gap, abs=1e-12)
    assert ece == pytest.approx(_ece_by_loop(y_true, proba, bins), abs=1e-12)
    assert ece > 0.01


def test_float16_probabilities_give_a_log_loss_near_the_float64_one_without_warnings():
    y_true, y_pred, proba = _cell(10, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. sklearn's "y_prob values do not sum to one"
        half = score_metrics(y_true, y_pred, 10, proba.astype(np.float16))
    full = score_metrics(y_true, y_pred, 10, proba)
    assert np.isfinite(half["log_loss"])
    assert half["log_loss"] == pytest.approx(full["log_loss"], abs=2e-3)
    assert half["brier"] == pytest.approx(full["brier"], abs=2e-3)


def test_a_zero_probability_for_the_true_class_gives_a_finite_log_loss():
    proba = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float16)
    scores = score_metrics(np.array([1, 1]), np.array([0, 1]), 2, proba)
    assert np.isfinite(scores["log_loss"]) and scores["log_loss"] > 10


def test_a_class_missing_from_the_test_labels_does_not_crash():
    y_true, y_pred, proba = _cell(10, seed=4)
    y_true = np.where(y_true == 9, 0, y_true)  # no class-9 images, but some predicted as 9
    assert 9 in y_pred
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = score_metrics(y_true, y_pred, 10, proba)
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        expected = _sklearn_scores(y_true, y_pred, proba, 10)  # sklearn's own call warns
    assert scores == pytest.approx(expected, abs=5e-7)


def test_roc_auc_is_left_out_when_only_one_class_is_present():
    y_true, y_pred, proba = _cell(2, n=20, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        scores = score_metrics(np.ones(20, dtype=int), y_pred, 2, proba)
    assert "roc_auc" not in scores
    assert "log_loss" in scores


def test_metric_info_knows_every_metric_and_suggests_a_close_name():
    assert metric_info("brier") is METRICS["brier"]
    with pytest.raises(ConfigError, match=r"Did you mean 'macro_f1'\?") as excinfo:
        metric_info("macro-f1")
    assert "Available: accuracy, balanced_accuracy, macro_f1" in str(excinfo.value)
    with pytest.raises(ConfigError) as excinfo:
        metric_info("zzz")
    assert "Did you mean" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "proba", "message"),
    [
        (np.zeros(4), np.zeros(3), None, r"expected y_pred of shape \(4,\), got \(3,\)"),
        (np.zeros((4, 1)), np.zeros(4), None, r"y_true of shape \(n,\).*got \(4, 1\)"),
        (np.zeros(0), np.zeros(0), None, r"y_true of shape \(n,\) with n >= 1, got \(0,\)"),
        (np.zeros(4), np.zeros(4), np.ones((4, 2)), r"shape \(4, 3\), got \(4, 2\)"),
        (np.zeros(4), np.zeros(4), np.ones((5, 3)), r"shape \(4, 3\), got \(5, 3\)"),
        (np.zeros(4), np.zeros(4), np.ones(4), r"shape \(4, 3\), got \(4,\)"),
    ],
)
def test_shape_errors_name_the_expected_and_given_shapes(y_true, y_pred, proba, message):
    with pytest.raises(ValueError, match=message):
        score_metrics(y_true.astype(int), y_pred.astype(int), 3, proba)


def test_ece_shape_errors():
    with pytest.raises(ValueError, match=r"shape \(3, n_classes\), got \(3,\)"):
        expected_calibration_error(np.zeros(3, dtype=int), np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(3, n_classes\), got \(2, 2\)"):
        reliability_bins(np.zeros(3, dtype=int), np.ones((2, 2)))


def test_a_class_neither_true_nor_predicted_counts_as_f1_zero():
    y = np.array([0, 1, 0, 1])  # perfect on classes 0 and 1; class 2 never occurs
    scores = score_metrics(y, y, 3)
    assert scores["macro_f1"] == round(2 / 3, 6)
    assert scores["accuracy"] == scores["balanced_accuracy"] == 1.0
