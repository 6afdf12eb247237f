"""The one objective every L1-logit solver minimises, computed in float64, and the answer every
solver gives (:class:`L1Fit`).

For n training rows x_i (pixels / 255), labels y_i, weights W (K x p) and intercepts b (K)::

    F(W, b) = (1/n) sum_i [ log sum_k exp(w_k . x_i + b_k) - (w_{y_i} . x_i + b_{y_i}) ]
              + ||W||_1 / (C n)

the mean multinomial log-loss plus the L1 norm of the weights (the intercepts are not
penalised) over ``C * n``: scikit-learn's ``LogisticRegression(l1_ratio=1)`` objective
divided by ``C * n``. With two classes a single row w (the binary model, class 1 against
class 0) stands for the rows (0, w); its L1 norm is the least of ||W||_1 over the rows
(v, v + w) giving the same model, so both forms have the same optimum value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: rows per float64 chunk of the data
CHUNK_ROWS = 8192


@dataclass(frozen=True)
class L1Fit:
    """A solver's answer: ``coef`` K x p (1 x p for the binary form), ``intercept`` K (or 1)."""

    coef: np.ndarray
    intercept: np.ndarray
    n_iter: int | None
    converged: bool


def penalty_strength(C: float, n_train: int) -> float:
    """The L1 weight ``lambda = 1 / (C n)`` in front of ||W||_1."""
    return 1.0 / (C * n_train)


def l1_logit_objective(
    coef: np.ndarray, intercept: np.ndarray, x: np.ndarray, y: np.ndarray, C: float
) -> float:
    """F(W, b) above, in float64, by chunks of rows.

    ``coef`` is K x p (or 1 x p for two classes), ``intercept`` K (or 1), ``x`` n x p floats
    and ``y`` each row's class as a row index of ``coef`` (0 or 1 in the binary form).
    """
    weights = np.asarray(coef, dtype=np.float64)
    bias = np.asarray(intercept, dtype=np.float64).reshape(-1)
    if weights.shape[0] == 1:  # the binary form: class 0's logit is 0
        weights = np.vstack([np.zeros_like(weights), weights])
        bias = np.concatenate([[0.0], bias])
    labels = np.asarray(y, dtype=np.int64)
    total = 0.0
    for start in range(0, len(labels), CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        logits = np.asarray(x[rows], dtype=np.float64) @ weights.T + bias
        peak = logits.max(axis=1)
        log_norm = peak + np.log(np.exp(logits - peak[:, None]).sum(axis=1))
        total += float(np.sum(log_norm - logits[np.arange(len(logits)), labels[rows]]))
    n = len(labels)
    return total / n + float(np.abs(weights).sum()) * penalty_strength(C, n)
