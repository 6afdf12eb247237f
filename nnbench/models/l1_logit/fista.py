"""FISTA for the L1 logit in ``keras.ops`` only, so that it runs wherever Keras's backend does
(an accelerator when there is one).

The data go to the device once, as float32 with centred columns: centring changes no model
(the intercepts absorb W . mean, mapped back at the end) and conditions the problem far better.
Each iteration is one proximal-gradient step from the extrapolated point: the gradient of the
mean log-loss is analytic, ``X^T (softmax(XW + b) - onehot) / n``; the step is soft-thresholding
at ``lambda / L`` with the intercepts left unpenalised. ``L`` backtracks (doubling until the
quadratic upper bound holds) and is tried 20% lower each step, never above Boehning's global
bound ``max(1, trace(X^T X / n)) / 2``, at which the bound always holds. The logits are linear in
(W, b), so the extrapolated point's logits are the same combination of the last two iterates'
(one product with X forward, one backward per accepted step). The momentum restarts
(O'Donoghue and Candes' gradient scheme) when the step points against the last move, or when F
rises.

Stopping: after iteration k >= 10, when F fell by at most ``tol * F`` over the last 10
iterations (F in float32 on the training data); ``max_iter`` caps the iterations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from keras import ops

from nnbench.models.l1_logit.objective import L1Fit, penalty_strength

#: a tensor of Keras's backend, on its device
Tensor = Any
#: iterations over which the objective's fall is compared with ``tol``
WINDOW = 10
#: the step's trial: L times this after each accepted step
STEP_TRIAL = 0.8
#: slack of the sufficient-decrease test, relative to the loss (float32 rounding)
SLACK = 1e-7


@dataclass
class Point:
    """An iterate: weights (p x K), intercepts (K) and its logits X W + b (n x K)."""

    w: Tensor
    b: Tensor
    z: Tensor

    def toward(self, previous: Point, beta: float) -> Point:
        """The extrapolated point ``self + beta (self - previous)``."""
        pairs = zip(self.astuple(), previous.astuple(), strict=True)
        return Point(*(a + beta * (a - c) for a, c in pairs))

    def astuple(self) -> tuple[Tensor, ...]:
        return self.w, self.b, self.z


def row_losses(z: Tensor, onehot: Tensor) -> Tensor:
    """Each row's log-loss ``logsumexp(z) - z[y]``."""
    return ops.logsumexp(z, axis=1) - ops.sum(z * onehot, axis=1)


def gradient(x: Tensor, y_point: Point, onehot: Tensor) -> tuple[Tensor, Tensor]:
    """The mean log-loss's gradient in W (p x K, as ``(R^T X)^T``) and in b, at ``y_point``."""
    residual = (ops.softmax(y_point.z, axis=1) - onehot) / ops.cast(ops.shape(x)[0], "float32")
    return ops.transpose(ops.matmul(ops.transpose(residual), x)), ops.sum(residual, axis=0)


def prox_step(
    x: Tensor, at: Point, grads: tuple[Tensor, Tensor], lipschitz: float, lam: float
) -> Point:
    """Soft-thresholded gradient step of length ``1 / lipschitz`` from ``at``."""
    shifted = at.w - grads[0] / lipschitz
    w = ops.sign(shifted) * ops.maximum(ops.abs(shifted) - lam / lipschitz, 0.0)
    b = at.b - grads[1] / lipschitz
    return Point(w, b, ops.matmul(x, w) + b)


def backtrack(
    x: Tensor, onehot: Tensor, at: Point, lipschitz: float, bound: float, lam: float
) -> tuple[Point, float, float]:
    """The accepted step from ``at``, its mean loss and the L used."""
    grads = gradient(x, at, onehot)
    at_losses = row_losses(at.z, onehot)
    while True:
        new = prox_step(x, at, grads, lipschitz, lam)
        losses = row_losses(new.z, onehot)
        rise = float(ops.mean(losses - at_losses))
        dw, db = new.w - at.w, new.b - at.b
        linear = float(ops.sum(grads[0] * dw) + ops.sum(grads[1] * db))
        square = float(ops.sum(dw * dw) + ops.sum(db * db))
        loss = float(ops.mean(losses))
        if lipschitz >= bound or rise <= linear + lipschitz / 2 * square + SLACK * loss:
            return new, loss, lipschitz
        lipschitz = min(2 * lipschitz, bound)


def against(new: Point, at: Point, last: Point) -> bool:
    """O'Donoghue and Candes' restart test: the step ``at -> new`` against the move
    ``last -> new``."""
    step = ops.sum((at.w - new.w) * (new.w - last.w)) + ops.sum((at.b - new.b) * (new.b - last.b))
    return float(step) > 0


def fista(x: np.ndarray, y: np.ndarray, *, C: float, tol: float, max_iter: int) -> L1Fit:
    """Minimise F from zero weights; ``x`` float n x p, ``y`` class indices 0..K-1."""
    n, p = x.shape
    k = int(y.max()) + 1
    lam = penalty_strength(C, n)
    mean = x.mean(axis=0, dtype=np.float64)
    centred = ops.convert_to_tensor(np.asarray(x - mean.astype(np.float32), dtype=np.float32))
    onehot = ops.one_hot(ops.convert_to_tensor(y.astype(np.int32)), k, dtype="float32")
    bound = max(1.0, float(np.sum(np.var(x, axis=0, dtype=np.float64)))) / 2
    zeros = Point(ops.zeros((p, k)), ops.zeros((k,)), ops.zeros((n, k)))
    current, last, theta, lipschitz = zeros, zeros, 1.0, bound
    history: list[float] = []
    converged = False
    for _ in range(max_iter):
        next_theta = (1 + np.sqrt(1 + 4 * theta**2)) / 2
        at = current.toward(last, (theta - 1) / next_theta)
        new, loss, lipschitz = backtrack(centred, onehot, at, lipschitz, bound, lam)
        value = loss + lam * float(ops.sum(ops.abs(new.w)))
        restart = against(new, at, current) or (history and value > history[-1])
        theta = 1.0 if restart else next_theta
        current, last, lipschitz = new, current, lipschitz * STEP_TRIAL
        history.append(value)
        if len(history) > WINDOW and history[-1 - WINDOW] - value <= tol * value:
            converged = True
            break
    w = np.asarray(ops.convert_to_numpy(current.w), dtype=np.float64)
    b = np.asarray(ops.convert_to_numpy(current.b), dtype=np.float64) - mean @ w
    return L1Fit(w.T, b, len(history), converged)
