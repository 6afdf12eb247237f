"""The objective of a Keras model as a function of one flat θ: its reverse-mode gradient against
finite differences, and the timing helpers."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnbench.models.gradients import Objective, finite_difference_gradient, time_call
from nnbench.models.keras.nets import dense_net

SHAPE = (8, 8, 1)


def lecture_example(x: np.ndarray) -> float:
    """The lecture's worked example f(x1, x2) = x1·x2 + 3·x1², gradient (x2 + 6·x1, x1)."""
    return float(x[0] * x[1] + 3 * x[0] ** 2)


def fake_clock(times: list[float]):
    """A clock that reads ``times`` in turn."""
    return iter(times).__next__


def relative_error(found: np.ndarray, expected: np.ndarray) -> float:
    return float(np.linalg.norm(found - expected) / np.linalg.norm(expected))


def small_net(seed: int, output: str = "softmax", n: int = 64) -> tuple[Objective, keras.Model]:
    """A dense net (6 hidden ReLUs) on random images, all labelled class 0, with its hidden
    biases set so that every ReLU stays clear of its kink on these images: units 0, 2, 4 are on
    (pre-activation at least 0.5) and units 1, 3, 5 off (at most -0.5) for every image.

    A forward difference across a kink measures the kink, not the gradient; and one label for
    all images makes the gradient large against float32's rounding of Q (on random labels it
    mostly cancels, and a relative comparison measures that rounding).
    """
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    n_classes = 2 if output == "sigmoid" else 3
    model = dense_net(SHAPE, n_classes, hidden_units=(6,), output=output)
    images = rng.integers(0, 256, (n, *SHAPE), dtype=np.uint8)
    hidden = model.layers[2]
    z = (images.reshape(n, -1) / 255) @ np.asarray(hidden.kernel)
    on = np.arange(6) % 2 == 0
    hidden.bias.assign(np.where(on, 0.5 - z.min(axis=0), -0.5 - z.max(axis=0)).astype("float32"))
    if output == "sigmoid":
        loss, labels = keras.losses.BinaryCrossentropy(), np.zeros(n, np.float32)
    else:
        loss, labels = keras.losses.SparseCategoricalCrossentropy(), np.zeros(n, np.int64)
    return Objective(model, loss, images, labels), model


def test_finite_differences_give_the_lecture_examples_gradient():
    found = finite_difference_gradient(lecture_example, np.array([2.0, 5.0]))
    assert relative_error(found.gradient, np.array([17.0, 2.0])) < 1e-3
    assert found.gradient == pytest.approx([17.0, 2.0], rel=1e-3)
    assert found.evaluated == 2 and found.complete


def test_a_budget_stops_after_the_coordinate_during_which_it_ran_out():
    calls = []

    def value(theta: np.ndarray) -> float:
        calls.append(theta.copy())
        return float(np.sum(theta**2))

    theta = np.arange(1.0, 6.0)
    # read at the start, then after each coordinate: 1, 2, 3 s; the budget runs out in the third
    found = finite_difference_gradient(
        value, theta, step=1e-6, budget_s=2.5, clock=fake_clock([0.0, 1.0, 2.0, 3.0, 4.0])
    )
    assert found.evaluated == 3 and not found.complete
    assert len(calls) == 4  # Q(θ) and one per coordinate
    assert found.gradient[:3] == pytest.approx(2 * theta[:3], rel=1e-5)
    assert np.isnan(found.gradient[3:]).all()
    assert found.seconds == 3.0 and found.seconds_per_coordinate() == 1.0
    again = finite_difference_gradient(
        value, theta, budget_s=100.0, clock=fake_clock([float(t) for t in range(7)])
    )
    assert again.complete and again.evaluated == 5 and not np.isnan(again.gradient).any()


def test_time_call_gives_the_median_after_an_untimed_warm_up():
    calls = []
    # three timed calls of 3, 1 and 2 seconds
    median = time_call(lambda: calls.append(1), 3, clock=fake_clock([0.0, 3.0, 3.0, 4.0, 4.0, 6.0]))
    assert median == 2.0 and len(calls) == 4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reverse_mode_gradient_agrees_with_finite_differences(seed):
    objective, _ = small_net(seed)
    theta = objective.theta()
    _, gradient = objective.value_and_gradient(theta)
    found = finite_difference_gradient(objective.value, theta)
    assert found.complete and found.evaluated == objective.dim
    assert np.linalg.norm(gradient) > 1.0
    assert relative_error(found.gradient, gradient) < 1e-3


def test_one_sigmoid_unit_with_binary_cross_entropy_has_the_right_gradient_too():
    objective, model = small_net(0, output="sigmoid")
    theta = objective.theta()
    _, gradient = objective.value_and_gradient(theta)
    assert objective.dim == model.count_params() == 65 * 6 + 7
    found = finite_difference_gradient(objective.value, theta)
    assert relative_error(found.gradient, gradient) < 1e-3


def test_value_is_the_models_loss_at_theta_and_leaves_the_model_alone():
    objective, model = small_net(0)
    assert objective.dim == model.count_params() == 65 * 6 + 7 * 3
    theta = objective.theta()
    loss, _ = objective.value_and_gradient(theta)
    assert objective.value(theta) == pytest.approx(loss, rel=1e-6)
    direct = objective.loss(objective.y, model(objective.x))
    assert loss == pytest.approx(float(keras.ops.convert_to_numpy(direct)), rel=1e-6)
    moved = theta * 1.5
    assert objective.value(moved) != pytest.approx(loss, rel=1e-3)
    assert np.array_equal(objective.theta(), theta)  # evaluating Q(θ) wrote nothing


def test_set_theta_writes_each_variable_in_order():
    objective, model = small_net(0)
    theta = np.random.default_rng(5).normal(size=objective.dim).astype(np.float32)
    objective.set_theta(theta)
    assert np.array_equal(objective.theta(), theta.astype(np.float64))
    kernel, bias = (np.asarray(v) for v in model.layers[2].trainable_variables)
    assert np.array_equal(kernel.ravel(), theta[: 64 * 6]) and np.array_equal(
        bias, theta[64 * 6 : 65 * 6]
    )
    direct = objective.loss(objective.y, model(objective.x))
    assert objective.value(theta) == pytest.approx(
        float(keras.ops.convert_to_numpy(direct)), rel=1e-6
    )
    with pytest.raises(ValueError, match="θ has shape"):
        objective.value(theta[:-1])


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="torch runs eagerly, untraced")
def test_repeated_calls_do_not_retrace():
    objective, _ = small_net(0)
    theta = objective.theta()
    objective.value(theta)
    objective.value_and_gradient(theta)
    assert objective.traces == 2
    for scale in np.linspace(0.5, 1.5, 10):
        objective.value(theta * scale)
        objective.value_and_gradient(theta * scale)
    assert objective.traces == 2
