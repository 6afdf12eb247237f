"""Runs of Keras's own training step, compiled with the loop around them, so that no Python runs
between one minibatch and the next.

A run takes images and targets that are already backend tensors and the order of their rows, and
trains on consecutive batches of that order: the whole epoch when the training set lives on the
device (the rows are that epoch's permutation), or a chunk of ``steps_per_execution`` batches
gathered on the host when it does not. Each batch is Keras's ``train_step``, so the loss with the
model's own regularisation losses, loss scaling under ``mixed_float16`` and the compiled metrics
are exactly what ``fit()`` would compute.

Keras 3 has no backend-neutral way to compile a stateful loop, so :func:`epoch_runner` holds one
small shim per backend: a ``tf.while_loop`` inside ``tf.function`` for TensorFlow, a
``lax.fori_loop`` under ``jax.jit`` over Keras's stateless step for JAX, and a plain loop for
PyTorch, which runs eagerly anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

#: trains the compiled model on the batches of ``rows`` (row numbers into images and targets)
EpochRunner = Callable[[Any, Any, Any], None]
#: a batch: images and targets
Batch = tuple[Any, Any]


def batch_at(images: Any, targets: Any, rows: Any, start: Any, size: int) -> Batch:
    """The ``size`` images and targets whose row numbers follow ``start`` in ``rows``."""
    chosen = ops.slice(rows, [start], [size])
    return ops.take(images, chosen, axis=0), ops.take(targets, chosen, axis=0)


def batch_plan(rows: Any, batch_size: int) -> tuple[int, int]:
    """Full batches in ``rows``, and the size of the last, partial one (0 if none)."""
    count = int(rows.shape[0])
    return count // batch_size, count % batch_size


def epoch_runner(model: keras.Model, batch_size: int, jit_compile: bool) -> EpochRunner:
    """A function that trains the compiled ``model`` on the batches of given rows, compiled
    for the active backend (with XLA when ``jit_compile``; JAX always compiles with XLA).

    The model's metrics accumulate over the calls; reset them with ``model.reset_metrics()``.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return tensorflow_runner(model, batch_size, jit_compile)
    if backend == "jax":
        return jax_runner(model, batch_size)
    if backend == "torch":
        return torch_runner(model, batch_size)
    raise NotImplementedError(f"no training loop for the Keras backend {backend!r}")


def tensorflow_runner(model: keras.Model, batch_size: int, jit_compile: bool) -> EpochRunner:
    """Keras's stateful ``train_step`` in a ``tf.while_loop``, one trace per shape of rows."""
    import tensorflow as tf

    def run(images: Any, targets: Any, rows: Any) -> None:
        full, last = batch_plan(rows, batch_size)

        def step(index: Any, carry: Any) -> Any:
            model.train_step(batch_at(images, targets, rows, index * batch_size, batch_size))
            return carry

        if full:  # XLA checks the slices' sizes even of a loop that never runs
            ops.fori_loop(0, full, step, 0)
        if last:
            model.train_step(batch_at(images, targets, rows, full * batch_size, last))

    return tf.function(run, jit_compile=jit_compile)


def jax_runner(model: keras.Model, batch_size: int) -> EpochRunner:
    """Keras's stateless ``train_step`` in ``lax.fori_loop`` under ``jax.jit``; the model's
    variables are read before and written after each run."""
    import jax

    def run_stateless(state: tuple, images: Any, targets: Any, rows: Any) -> tuple:
        full, last = batch_plan(rows, batch_size)

        def step(index: Any, state: tuple) -> tuple:
            batch = batch_at(images, targets, rows, index * batch_size, batch_size)
            return model.train_step(state, batch)[1]

        if full:
            state = jax.lax.fori_loop(0, full, step, state)
        if last:
            batch = batch_at(images, targets, rows, full * batch_size, last)
            state = model.train_step(state, batch)[1]
        return state

    compiled = jax.jit(run_stateless, donate_argnums=0)
    groups = (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )

    def run(images: Any, targets: Any, rows: Any) -> None:
        state = tuple([variable.value for variable in group] for group in groups)
        state = compiled(state, images, targets, rows)
        for group, values in zip(groups, state, strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)

    return run


def torch_runner(model: keras.Model, batch_size: int) -> EpochRunner:
    """Keras's ``train_step`` batch by batch: PyTorch runs eagerly."""

    def run(images: Any, targets: Any, rows: Any) -> None:
        full, last = batch_plan(rows, batch_size)
        sizes = [batch_size] * full + ([last] if last else [])
        for number, size in enumerate(sizes):
            model.train_step(batch_at(images, targets, rows, number * batch_size, size))

    return run
