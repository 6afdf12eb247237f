"""The cost of a gradient, as a probe model for the autodiff study.

:class:`GradientCost` does not train. On a fixed batch of training images it times the dense
net's objective Q(θ) (mean cross-entropy at the initial weights), its reverse-mode gradient
through Keras ops on the active backend, and a forward finite-difference gradient under a time
budget; it checks that the two gradients agree, and it works the lecture's example f(x1, x2) =
x1·x2 + 3·x1² through the same reverse mode. Everything lands in ``info_`` (the result's
``model_info``). It predicts with the initial weights, so its accuracy is chance: the autodiff
study's report shows its timings, never its accuracy.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops
from typing_extensions import Self

from nnbench.models.base import NO_MONITOR, Monitor
from nnbench.models.gradients import Objective, finite_difference_gradient, time_call
from nnbench.models.keras.compile import dtype_policy
from nnbench.models.keras.nets import Sizes, dense_net
from nnbench.models.keras.predict import KerasNet, decide, predict_scores
from nnbench.models.params import PositiveCount, PositiveNumber

#: the lecture's worked example: the point, and the gradient it states there ("(20, 2)")
EXAMPLE_POINT = (2.0, 3.0)
LECTURE_GRADIENT = (20.0, 2.0)
#: the finite-difference step for the example, relative: h = 0.001 at x1 = 2. The forward
#: difference overshoots ∂f/∂x1 by 3h (f is quadratic in x1), and float32 rounds f = 18 to
#: about 2e-6, so both errors stay near 2e-4 relative
EXAMPLE_STEP = 5e-4
#: the relative finite-difference step of the float64 check: its curvature error (about h) and
#: rounding error (1e-16 / h) meet near 1e-8, far below the 1e-3 the check asks for
FLOAT64_STEP = 1e-7


class WorkedExample(keras.layers.Layer):  # type: ignore[misc]  # Keras ships no types
    """f(x1, x2) = x1·x2 + 3·x1², its two variables the layer's weights; one f per input row."""

    def build(self, input_shape: Any) -> None:
        self.point = self.add_weight(
            shape=(2,), initializer=keras.initializers.Constant(EXAMPLE_POINT), name="x"
        )

    def call(self, inputs: Any) -> Any:
        x1, x2 = self.point[0], self.point[1]
        return ops.zeros_like(inputs) + (x1 * x2 + 3 * x1**2)


def worked_example() -> dict[str, Any]:
    """f and its gradient at the lecture's point, by reverse mode and by finite differences,
    with the values the lecture states."""
    model = keras.Sequential([keras.Input((1,)), WorkedExample()])
    objective = Objective(
        model, lambda _, f: ops.mean(f), np.zeros((1, 1), np.float32), np.zeros(1)
    )
    theta = objective.theta()
    value, reverse = objective.value_and_gradient(theta)
    forward = finite_difference_gradient(objective.value, theta, step=EXAMPLE_STEP)
    return {
        "point": list(EXAMPLE_POINT),
        "f": value,
        "reverse_mode": reverse.tolist(),
        "finite_difference": forward.gradient.tolist(),
        "analytic": [EXAMPLE_POINT[1] + 6 * EXAMPLE_POINT[0], EXAMPLE_POINT[0]],
        "lecture": list(LECTURE_GRADIENT),
    }


def relative_error(estimate: np.ndarray, exact: np.ndarray) -> float:
    """‖estimate − exact‖ / ‖exact‖ over the coordinates the estimate has (not NaN)."""
    known = ~np.isnan(estimate)
    scale = float(np.linalg.norm(exact[known]))
    return float(np.linalg.norm(estimate[known] - exact[known])) / scale if scale else 0.0


class GradientCost(KerasNet):
    """Times Q(θ), its reverse-mode gradient (median of ``repeats`` calls after a compiling
    one) and a finite-difference gradient (stopped after ``budget_s`` seconds) of the dense net
    with ``hidden_units`` on the first ``batch`` training images, all in float32; and checks
    the gradients against each other in float64 on ``check_coordinates`` coordinates."""

    def __init__(
        self,
        hidden_units: Sizes = (128, 128, 128),
        batch: PositiveCount = 100,
        repeats: PositiveCount = 20,
        budget_s: PositiveNumber = 20.0,
        check_coordinates: PositiveCount = 1000,
        seed: int = 0,
    ) -> None:
        self.hidden_units = hidden_units
        self.batch = batch
        self.repeats = repeats
        self.budget_s = budget_s
        self.check_coordinates = check_coordinates
        self.seed = seed

    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        keras.utils.set_random_seed(self.seed)
        self.model_ = dense_net(x.shape[1:], n_classes, self.hidden_units)
        loss = keras.losses.SparseCategoricalCrossentropy()
        objective = Objective(self.model_, loss, x[: self.batch], y[: self.batch])
        theta = objective.theta()
        objective_s = time_call(lambda: objective.value(theta), self.repeats)
        gradient_s = time_call(lambda: objective.value_and_gradient(theta), self.repeats)
        forward = finite_difference_gradient(objective.value, theta, budget_s=self.budget_s)
        self.history_ = []
        check_error = self.check_in_float64(x[: self.batch], y[: self.batch], n_classes)
        self.info_ = {
            "dim": objective.dim,
            "batch": min(self.batch, len(x)),
            "objective_s": objective_s,
            "gradient_s": gradient_s,
            "gradient_ratio": gradient_s / objective_s,
            "fd_coordinates": forward.evaluated,
            "fd_complete": forward.complete,
            "fd_measured_s": forward.seconds,
            "fd_s_per_coordinate": forward.seconds_per_coordinate(),
            "check_coordinates": min(self.check_coordinates, objective.dim),
            "fd_relative_error": check_error,
            "worked_example": worked_example(),
        }
        return self

    def check_in_float64(self, x: np.ndarray, y: np.ndarray, n_classes: int) -> float:
        """The relative error of finite differences against reverse mode on the same net and
        weights in float64, over ``check_coordinates`` coordinates drawn at random (all of
        them for a smaller net). In float32, forward differences agree only to about 1e-2: Q's
        rounding (1e-7) over the step, and steps across ReLU's kink, swamp small gradients."""
        with dtype_policy("float64"):
            model = dense_net(x.shape[1:], n_classes, self.hidden_units)
        model.set_weights(self.model_.get_weights())
        loss = keras.losses.SparseCategoricalCrossentropy(dtype="float64")
        objective = Objective(model, loss, x, y)
        theta = objective.theta()
        rng = np.random.default_rng(self.seed)
        count = min(self.check_coordinates, objective.dim)
        chosen = np.sort(rng.choice(objective.dim, size=count, replace=False))
        _, reverse = objective.value_and_gradient(theta)
        forward = finite_difference_gradient(
            objective.value, theta, step=FLOAT64_STEP, coordinates=chosen, dtype=np.float64
        )
        return relative_error(forward.gradient, reverse)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return decide(predict_scores(self.model_, x))
