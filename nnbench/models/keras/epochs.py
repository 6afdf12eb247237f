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

from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
from keras import ops

#: trains the compiled model on the batches of ``rows`` (row numbers into images and targets)
EpochRunner = Callable[[Any, Any, Any], None]
#: a batch: images and targets
Batch = tuple[Any, Any]
#: the values of a model's variables, group by group, as Keras's stateless step takes them
State = tuple[Any, ...]
#: what one compiled call trains on: images, targets (backend tensors) and the rows to take
Chunk = tuple[Any, Any, Any]
#: a training set (uint8 images and targets) up to this size goes to the device once and trains
#: there, epoch by epoch; a larger one (the candidate photos, 1.6 GB) is sent in chunks
RESIDENT_BYTES = 1 << 30


def epoch_order(count: int, seed: int) -> Iterator[np.ndarray]:
    """Each epoch's order of ``count`` rows: a new permutation from the seed every epoch, the
    same on every backend."""
    rng = np.random.default_rng(seed)
    while True:
        yield rng.permutation(count).astype(np.int32)


def fits_on_device(images: np.ndarray, targets: np.ndarray) -> bool:
    """Whether a training set is small enough to live on the device for the whole fit."""
    return images.nbytes + targets.nbytes <= RESIDENT_BYTES


def epoch_chunks(
    images: np.ndarray, targets: np.ndarray, seed: int, chunk_rows: int
) -> Iterator[Iterator[Chunk]]:
    """For each epoch, what the compiled loop runs on, in turn: the whole training set with the
    epoch's permutation when it fits on the device (it goes there once), else chunks of
    ``chunk_rows`` rows gathered on the host in the epoch's order, each sent when its turn
    comes."""
    orders = epoch_order(len(images), seed)
    if fits_on_device(images, targets):
        on_device = ops.convert_to_tensor(images), ops.convert_to_tensor(targets)
        for order in orders:
            yield iter([(*on_device, ops.convert_to_tensor(order))])
    for order in orders:
        yield host_chunks(images, targets, order, chunk_rows)


def host_chunks(
    images: np.ndarray, targets: np.ndarray, order: np.ndarray, chunk_rows: int
) -> Iterator[Chunk]:
    """The rows of ``order``, ``chunk_rows`` at a time, gathered on the host and sent."""
    for start in range(0, len(order), chunk_rows):
        rows = order[start : start + chunk_rows]
        yield (
            ops.convert_to_tensor(images[rows]),
            ops.convert_to_tensor(targets[rows]),
            ops.arange(len(rows), dtype="int32"),
        )


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

    compiled: EpochRunner = tf.function(run, jit_compile=jit_compile)
    return compiled


def jax_runner(model: keras.Model, batch_size: int) -> EpochRunner:
    """Keras's stateless ``train_step`` in ``lax.fori_loop`` under ``jax.jit``; the model's
    variables are read before and written after each run."""
    import jax  # an optional Keras backend

    def run_stateless(state: State, images: Any, targets: Any, rows: Any) -> State:
        full, last = batch_plan(rows, batch_size)

        def step(index: Any, state: State) -> State:
            batch = batch_at(images, targets, rows, index * batch_size, batch_size)
            trained: State = model.train_step(state, batch)[1]
            return trained

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
