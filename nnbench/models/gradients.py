"""A Keras model's objective and its reverse-mode gradient as functions of one flat parameter
vector, for optimisers that want ``f(θ)`` and ``∇f(θ)`` (scipy's L-BFGS-B), and the
finite-difference gradient to compare them with.

Keras 3 has no backend-neutral gradient API, so :func:`compiled_functions` holds one small shim
per backend: TensorFlow's ``tf.GradientTape`` inside ``tf.function``, JAX's ``jax.value_and_grad``
under ``jax.jit``, and ``torch.autograd`` (eager: PyTorch has no trace to reuse). Everything else
is Keras's backend-neutral API: the objective itself is ``model.stateless_call`` on weights cut
from θ, so evaluating Q(θ) never writes into the model.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops

Clock = Callable[[], float]
#: Q(θ, non-trainable weights, x, y) on backend tensors -> the scalar loss
LossFunction = Callable[[Any, list[Any], Any, Any], Any]
#: the default relative step of :func:`finite_difference_gradient`, for float32 objectives
DEFAULT_STEP = 1e-3


def compiled_functions(loss_of: LossFunction) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``loss_of`` compiled for the active backend, twice: as ``value(θ, ...) -> Q`` and as
    ``value_and_gradient(θ, ...) -> (Q, ∇Q)``, the gradient by reverse mode with respect to θ.

    Each traces once for the shapes it is called with and reuses that trace afterwards (torch
    runs eagerly, so its functions "trace" on every call).
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        def tf_value_and_gradient(theta: Any, *data: Any) -> tuple[Any, Any]:
            with tf.GradientTape() as tape:
                tape.watch(theta)
                loss = loss_of(theta, *data)
            return loss, tape.gradient(loss, theta)

        return tf.function(loss_of), tf.function(tf_value_and_gradient)
    if backend == "jax":
        import jax  # an optional Keras backend

        return jax.jit(loss_of), jax.jit(jax.value_and_grad(loss_of))
    if backend == "torch":
        import torch  # an optional Keras backend

        def torch_value(theta: Any, *data: Any) -> Any:
            with torch.no_grad():
                return loss_of(theta, *data)

        def torch_value_and_gradient(theta: Any, *data: Any) -> tuple[Any, Any]:
            theta = theta.detach().requires_grad_(True)
            loss = loss_of(theta, *data)
            (gradient,) = torch.autograd.grad(loss, theta)
            return loss.detach(), gradient

        return torch_value, torch_value_and_gradient
    raise NotImplementedError(f"no gradient shim for the Keras backend {backend!r}")


class Objective:
    """Q(θ) = mean loss of `model` on the fixed batch (x, y), θ = all trainable weights flattened
    (float64 numpy on the outside).

    θ goes in at the weights' precision (float32, or float64 for a model built under Keras's
    "float64" dtype policy); x (float32, as given: the model rescales its
    own pixels) and y are held as backend tensors once. The model runs in inference mode
    (``training=False``), so Q is deterministic even with dropout. ``traces`` counts how often
    the compiled functions have been traced.
    """

    def __init__(
        self, model: keras.Model, loss: keras.losses.Loss, x: np.ndarray, y: np.ndarray
    ) -> None:
        self.model = model
        self.loss = loss
        self.variables = list(model.trainable_variables)
        self.shapes = [tuple(variable.shape) for variable in self.variables]
        sizes = [math.prod(shape) for shape in self.shapes]
        self.dim: int = sum(sizes)
        #: the weights' precision, in which θ goes in
        self.dtype = np.dtype(self.variables[0].dtype if self.variables else "float32")
        #: where each variable's entries start in θ, after the first
        self.offsets = np.cumsum(sizes)[:-1].tolist()
        self.x = ops.convert_to_tensor(np.asarray(x, dtype=np.float32))
        self.y = ops.convert_to_tensor(np.asarray(y))
        self.traces = 0
        self._value, self._value_and_gradient = compiled_functions(self.loss_of)

    def loss_of(self, theta: Any, non_trainable: list[Any], x: Any, y: Any) -> Any:
        """Q(θ) on backend tensors: the model's loss with its weights cut from ``theta``."""
        self.traces += 1
        # one variable: Keras's split by no offsets fails on TensorFlow and torch
        parts = ops.split(theta, self.offsets) if self.offsets else [theta]
        weights = [ops.reshape(part, shape) for part, shape in zip(parts, self.shapes, strict=True)]
        predictions, _ = self.model.stateless_call(weights, non_trainable, x, training=False)
        return self.loss(y, predictions)

    def arguments(self, theta: np.ndarray) -> tuple[Any, ...]:
        """What the compiled functions take for ``theta``: θ as a float32 tensor, the model's
        non-trainable weights as they are now, x and y."""
        if np.shape(theta) != (self.dim,):
            raise ValueError(f"θ has shape {np.shape(theta)}; the model has {self.dim} weights")
        flat = ops.convert_to_tensor(np.asarray(theta, dtype=self.dtype))
        non_trainable = [variable.value for variable in self.model.non_trainable_variables]
        return flat, non_trainable, self.x, self.y

    def theta(self) -> np.ndarray:
        """The model's current trainable weights, as one flat float64 copy."""
        parts = [np.asarray(variable).ravel() for variable in self.variables]
        return np.concatenate(parts).astype(np.float64)

    def value(self, theta: np.ndarray) -> float:
        """Q(θ), compiled, without a gradient."""
        return float(ops.convert_to_numpy(self._value(*self.arguments(theta))))

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Q(θ) and its gradient by reverse mode, as a flat float64 array."""
        loss, gradient = self._value_and_gradient(*self.arguments(theta))
        return float(ops.convert_to_numpy(loss)), ops.convert_to_numpy(gradient).astype(np.float64)

    def set_theta(self, theta: np.ndarray) -> None:
        """Write θ into the model's trainable variables."""
        parts = np.split(np.asarray(theta, dtype=self.dtype), self.offsets)
        for variable, part, shape in zip(self.variables, parts, self.shapes, strict=True):
            variable.assign(part.reshape(shape))


@dataclass(frozen=True)
class FiniteDifference:
    """A forward-difference gradient: NaN for the coordinates a budget left out, how many were
    ``evaluated``, the wall ``seconds`` it took (the base evaluation of Q included), and
    whether every coordinate was computed."""

    gradient: np.ndarray
    evaluated: int
    seconds: float
    complete: bool

    def seconds_per_coordinate(self) -> float:
        """Wall seconds per computed coordinate (NaN when none was)."""
        return self.seconds / self.evaluated if self.evaluated else math.nan


def finite_difference_gradient(
    value: Callable[[np.ndarray], float],
    theta: np.ndarray,
    step: float | None = None,
    budget_s: float | None = None,
    clock: Clock = time.perf_counter,
    coordinates: Collection[int] | None = None,
    dtype: type[np.floating] = np.float32,
) -> FiniteDifference:
    """Forward differences g_i = (Q(θ + h e_i) − Q(θ)) / h, one coordinate at a time: every
    coordinate in order, or those of ``coordinates`` (the others stay NaN).

    ``step`` is h relative to the coordinate's size: h_i = step · max(1, |θ_i|). Its default,
    :data:`DEFAULT_STEP` = 1e-3, suits objectives computed in float32, whose value carries a
    rounding error of about 1e-7 that the difference divides by h; larger steps add the
    curvature's error instead. On the small dense nets of tests/models/test_gradients.py, 1e-3
    agreed with the reverse-mode gradient to 2e-4..7e-4 in norm over ten seeds, the square root
    of float32's epsilon (3.5e-4, optimal for one correctly rounded evaluation) only to
    5e-4..1.7e-3. Each θ_i + h_i is rounded to ``dtype`` (the objective's precision) and h_i
    taken as the difference, since that is the step the objective sees. With ``budget_s``, it
    stops after the coordinate during which the budget ran out.
    """
    theta = np.asarray(theta, dtype=np.float64)
    relative = DEFAULT_STEP if step is None else step
    order = range(theta.size) if coordinates is None else coordinates
    gradient = np.full(theta.shape, np.nan)
    moved = theta.copy()
    start = clock()
    base = value(theta)
    evaluated, elapsed = 0, 0.0
    for i in order:
        moved[i] = dtype(theta[i] + relative * max(1.0, abs(theta[i])))
        gradient[i] = (value(moved) - base) / (moved[i] - theta[i])
        moved[i] = theta[i]
        evaluated += 1
        elapsed = clock() - start
        if budget_s is not None and elapsed >= budget_s:
            break
    return FiniteDifference(gradient, evaluated, elapsed, evaluated == len(order))


def time_call(call: Callable[[], object], repeats: int, clock: Clock = time.perf_counter) -> float:
    """Median wall seconds of ``repeats`` calls, after one untimed warm-up call (which
    compiles)."""
    call()
    durations = []
    for _ in range(repeats):
        start = clock()
        call()
        durations.append(clock() - start)
    return statistics.median(durations)
