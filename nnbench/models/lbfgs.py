"""The lecture's "conventional optimiser": its dense net trained full-batch by L-BFGS-B.

scipy's ``minimize`` takes the mean loss and its reverse-mode gradient over the whole training
subset from :class:`nnbench.models.gradients.Objective`, so every iteration sees every image,
where Adam in :mod:`nnbench.models.keras.loop` steps batch by batch.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np
from scipy.optimize import OptimizeResult, minimize
from typing_extensions import Self

from nnbench.models.base import NO_MONITOR, DataInfo, Monitor, SkipCell, optional
from nnbench.models.gradients import Objective
from nnbench.models.keras.nets import Output, Sizes, dense_net, output_layer
from nnbench.models.keras.predict import (
    KerasNet,
    decide,
    output_probabilities,
    predict_scores,
)
from nnbench.models.params import PositiveCount

#: history rows per fit, besides the last iteration's
HISTORY_ROWS = 10


class IterationRecorder:
    """scipy's callback: a history row every ``max(1, max_iter // 10)`` iterations, with the
    Keras loop's keys (``epoch`` is the iteration). Scoring for the rows (training accuracy on
    the images, and the monitor's) is counted in ``eval_s``, not in ``elapsed_s``."""

    def __init__(
        self,
        net: LbfgsNet,
        objective: Objective,
        images: np.ndarray,
        labels: np.ndarray,
        monitor: Monitor,
    ) -> None:
        self.net, self.objective, self.monitor = net, objective, monitor
        self.images, self.labels = images, labels
        self.every = max(1, net.max_iter // HISTORY_ROWS)
        self.rows: list[dict[str, Any]] = []
        self.iterations = 0
        self.eval_s = 0.0
        self.start = time.perf_counter()

    def __call__(self, intermediate_result: OptimizeResult) -> None:
        self.iterations += 1
        if self.iterations % self.every == 0:
            self.record(self.iterations, intermediate_result.x, intermediate_result.fun)

    def record(self, iteration: int, theta: np.ndarray, train_loss: float) -> None:
        """One history row for the weights ``theta``."""
        elapsed_s = time.perf_counter() - self.start - self.eval_s
        scoring = time.perf_counter()
        self.objective.set_theta(theta)
        watched, truth = self.monitor.eval_images, self.monitor.eval_labels
        row = {
            "epoch": iteration,
            "train_loss": float(train_loss),
            "train_accuracy": self.net.accuracy(self.images, self.labels),
            "test_loss": None,
            "test_accuracy": (
                None if watched is None or truth is None else self.net.accuracy(watched, truth)
            ),
            "elapsed_s": round(elapsed_s, 4),
        }
        self.eval_s += time.perf_counter() - scoring
        self.rows.append(row)
        if self.monitor.on_epoch_end is not None:
            self.monitor.on_epoch_end(row)


class LbfgsNet(KerasNet):
    """Dense net (ReLU hidden layers, softmax output, or one sigmoid unit for two classes)
    trained full-batch on the first ``n_images`` training images by scipy's L-BFGS-B, for at
    most ``max_iter`` iterations, on sparse categorical (or binary) cross-entropy.

    ``history_`` holds a row every ``max(1, max_iter // 10)`` iterations and one for the last,
    with the Keras loop's keys (``epoch`` is the iteration). Scoring for those rows (training
    accuracy, and the monitor's images) is left out of ``elapsed_s`` and counted in
    ``eval_during_fit_s_``.
    """

    def __init__(
        self,
        hidden_units: Sizes = (128, 128, 128),
        max_iter: PositiveCount = 100,
        n_images: PositiveCount = 5000,
        output: Output = "softmax",
        seed: int = 0,
    ) -> None:
        self.hidden_units = hidden_units
        self.max_iter = max_iter
        self.n_images = n_images
        self.output = output
        self.seed = seed

    def skip_reason(self, data: DataInfo) -> str | None:
        try:
            output_layer(data.n_classes, self.output)
        except SkipCell as skip:
            return str(skip)
        return None

    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        keras.utils.set_random_seed(self.seed)
        self.model_ = dense_net(x.shape[1:], n_classes, self.hidden_units, self.output)
        self.binary_ = self.model_.output_shape[-1] == 1
        images, labels = x[: self.n_images], y[: self.n_images]
        if self.binary_:
            loss, targets = keras.losses.BinaryCrossentropy(), labels.astype(np.float32)
        else:
            loss, targets = keras.losses.SparseCategoricalCrossentropy(), labels
        objective = Objective(self.model_, loss, images.astype(np.float32), targets)
        recorder = IterationRecorder(self, objective, images, labels, monitor)
        result = minimize(
            objective.value_and_gradient,
            objective.theta(),
            method="L-BFGS-B",
            jac=True,
            callback=recorder,
            options={"maxiter": self.max_iter},
        )
        if not recorder.rows or recorder.rows[-1]["epoch"] != result.nit:
            recorder.record(result.nit, result.x, result.fun)
        objective.set_theta(result.x)
        self.history_ = recorder.rows
        self.eval_during_fit_s_ = recorder.eval_s
        self.info_ = {
            "iterations": int(result.nit),
            "converged": bool(result.success),
            "train_loss": float(result.fun),
            "n_images": len(images),
            "message": str(result.message),
        }
        return self

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        """The fraction of ``images`` the net, with its weights as they are now, labels right."""
        return float(np.mean(self.predict(images) == labels))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return decide(predict_scores(self.model_, x))

    @optional(lambda self: self.output != "linear")
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """The softmax's (or the sigmoid unit's) outputs as class probabilities."""
        return output_probabilities(predict_scores(self.model_, x))
