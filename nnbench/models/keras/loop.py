"""The Keras training loop the lecture's nets and every user's Keras builder share.

A builder is a function ``(input_shape, n_classes, **params) -> keras.Model``. The loop trains
what it returns with an optimiser (Adam by default) for a fixed number of epochs, on batches cut
from the uint8 images and reshuffled each epoch from the seed, records one history row per
epoch, and predicts batch by batch. It reads the loss from the model's output: one unit means
two classes and binary cross-entropy, n_classes units sparse categorical cross-entropy; a last
layer without a softmax or sigmoid gives logits. The ``loss`` parameter can choose the hinge
loss (one linear unit) or the quadratic loss (on one-hot targets) instead. Only Keras 3's
backend-neutral API is used (TensorFlow by default).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict
from typing import Any

import keras
import numpy as np
from keras import ops
from typing_extensions import Self

from nnbench.errors import ConfigError
from nnbench.models.base import (
    NO_MONITOR,
    DataInfo,
    Monitor,
    SkipCell,
    optional,
)
from nnbench.models.diagnosis import (
    TrainingFacts,
    class_shares,
    guessing_loss,
    training_warnings,
)
from nnbench.models.keras.compile import (
    CONVOLUTIONS,
    OPTIMIZERS,
    dtype_policy,
    gives_logits,
    loss_and_accuracy,
)
from nnbench.models.keras.epochs import epoch_chunks, epoch_runner
from nnbench.models.keras.predict import (
    KerasNet,
    decide,
    gives_probabilities,
    output_probabilities,
    predict_scores,
)
from nnbench.models.keras.training import Training

#: training images run through the layers before the first weighted one, to see their scale
PROBE_IMAGES = 64
Builder = Callable[..., keras.Model]


def untrained_layers(model: keras.Model, initial: list[list[np.ndarray]]) -> dict[str, Any]:
    """Which of the model's layers with weights (numbered from 1) still hold exactly their
    ``initial`` weights after training: layers that got no gradient, such as those below a
    binary step."""
    weighted = [
        (layer.get_weights(), before) for layer, before in zip(model.layers, initial, strict=True)
    ]
    weighted = [(after, before) for after, before in weighted if before]
    untrained = [
        number
        for number, (after, before) in enumerate(weighted, 1)
        if all(np.array_equal(a, b) for a, b in zip(after, before, strict=True))
    ]
    return {"layers_with_weights": len(weighted), "untrained_layers": untrained}


def first_layer_input_max(model: keras.Model, images: np.ndarray) -> float | None:
    """The largest absolute value that the model's first layer with trainable weights receives
    for ``images``, found by running the layers before it (a Rescaling, a Flatten); None when
    the model is not a chain of layers that can be run one by one."""
    values: Any = images
    try:
        for layer in model.layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            if layer.trainable_weights:
                return float(np.max(np.abs(ops.convert_to_numpy(values).astype(np.float64))))
            values = layer(values)
    except Exception:  # a graph with branches: the diagnosis goes without it
        return None
    return None


def first_call_overhead(calls: Sequence[tuple[float, int]]) -> float:
    """The first compiled call's compile or trace time: how much longer it took than the next
    call, per row (``calls`` are the first two calls' seconds and rows); 0 when there was only
    one call, whose compile time then counts as training."""
    if len(calls) < 2:
        return 0.0
    (first_s, first_rows), (next_s, next_rows) = calls
    return max(0.0, first_s - next_s * first_rows / max(1, next_rows))


class KerasModel(KerasNet):
    """A Keras builder with its parameters, trained by the shared loop with ``training``'s
    epochs, batch size, learning rate and steps per execution."""

    def __init__(
        self,
        builder: Builder,
        params: dict[str, Any],
        training: Training,
        seed: int = 0,
        given: Collection[str] = (),
    ) -> None:
        self.builder = builder
        self.params = params
        self.training = training
        self.seed = seed
        #: the parameters the user set (the rest are the builder's defaults)
        self.given = frozenset(given)

    def get_params(self) -> dict[str, Any]:
        return {**self.params, **asdict(self.training)}

    def network(self, input_shape: Sequence[int], n_classes: int) -> keras.Model:
        """The builder's model, checked: its outputs must fit the classes, and the loss."""
        model = self.builder(tuple(input_shape), n_classes, **self.params)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"the builder {self.builder.__name__} returned {type(model).__name__}, "
                "not a keras.Model"
            )
        units = model.output_shape[-1]
        if units != n_classes and not (units == 1 and n_classes == 2):
            raise ValueError(
                f"the builder {self.builder.__name__} made {units} outputs for {n_classes} "
                f"classes; end it with Dense(n_classes, activation='softmax'), or Dense(1, "
                "activation='sigmoid') for two classes"
            )
        if self.training.loss == "hinge" and (units != 1 or not gives_logits(model)):
            raise SkipCell(
                "loss 'hinge' needs two classes and one output unit without an activation "
                f"(output 'linear'); this net has {units} output(s) for {n_classes} classes",
                parameters=("loss", "output"),
            )
        return model

    def skip_reason(self, data: DataInfo) -> str | None:
        try:
            self.network(data.input_shape, data.n_classes)
        except SkipCell as skip:
            if self.given.intersection(skip.parameters):
                raise ConfigError(f"{skip}.") from None  # a value the user chose cannot serve
            return str(skip)
        return None

    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        started = time.perf_counter()
        keras.utils.set_random_seed(self.seed)
        self.n_classes_ = n_classes
        with dtype_policy(self.training.precision):
            self.model_ = self.network(x.shape[1:], n_classes)
        self.binary_ = self.model_.output_shape[-1] == 1
        self.logits_ = gives_logits(self.model_)
        self.compile()
        targets = self.targets(y)
        # the optimiser's and the metrics' variables exist before a compiled loop reads them
        self.model_._symbolic_build(data_batch=(x[:1], targets[:1]))
        initial = [layer.get_weights() for layer in self.model_.layers]
        run = epoch_runner(self.model_, self.training.batch_size, self.jit_compile())
        self.history_ = []
        self.eval_during_fit_s_ = 0.0
        train_s = 0.0
        chunk_rows = self.training.batch_size * self.training.steps_per_execution
        epochs = epoch_chunks(x, targets, self.seed, chunk_rows)
        build_s = time.perf_counter() - started
        first_calls: list[tuple[float, int]] = []  # seconds and rows, to tell the compile time
        for epoch in range(1, self.training.epochs + 1):
            started = time.perf_counter()
            self.model_.reset_metrics()
            for images, epoch_targets, rows in next(epochs):
                called = time.perf_counter()
                run(images, epoch_targets, rows)
                if len(first_calls) < 2:
                    first_calls.append((time.perf_counter() - called, int(rows.shape[0])))
            trained = {k: float(v) for k, v in self.model_.get_metrics_result().items()}
            train_s += time.perf_counter() - started
            self.history_.append(self.history_row(epoch, trained, train_s, monitor))
        self.fit_phases_ = {"build_s": build_s, "compile_s": first_call_overhead(first_calls)}
        self.info_ = untrained_layers(self.model_, initial)
        self.warnings_ = training_warnings(self.history_, self.training_facts(x, y))
        return self

    def training_facts(self, x: np.ndarray, y: np.ndarray) -> TrainingFacts:
        """What :func:`training_warnings` compares the history with, for this net and data."""
        shares = class_shares(y, self.n_classes_)
        return TrainingFacts(
            guessing_loss(y, self.n_classes_, self.training.loss, self.binary_),
            chance=float(shares.max()),
            steps=self.training.epochs * math.ceil(len(y) / self.training.batch_size),
            first_layer_input_max=first_layer_input_max(self.model_, x[:PROBE_IMAGES]),
            learning_rate=self.training.learning_rate,
            untrained_layers=self.info_["untrained_layers"],
        )

    def history_row(
        self, epoch: int, trained: dict[str, float], train_s: float, monitor: Monitor
    ) -> dict[str, Any]:
        """One epoch's history row, with the monitor's images scored (that time is left out of
        the training time), and passed to the monitor."""
        row: dict[str, Any] = {
            "epoch": epoch,
            "train_loss": trained["loss"],
            "train_accuracy": trained["accuracy"],
            "test_loss": None,
            "test_accuracy": None,
            "elapsed_s": round(train_s, 4),
        }
        if monitor.eval_images is not None and monitor.eval_labels is not None:
            started = time.perf_counter()
            scores = predict_scores(self.model_, monitor.eval_images)
            loss = self.loss_(self.targets(monitor.eval_labels), scores)
            row["test_loss"] = float(ops.convert_to_numpy(loss))
            labels = decide(scores, self.threshold())
            row["test_accuracy"] = float(np.mean(labels == monitor.eval_labels))
            self.eval_during_fit_s_ += time.perf_counter() - started
        if monitor.on_epoch_end is not None:
            monitor.on_epoch_end(row)
        return row

    def jit_compile(self) -> bool:
        """Whether TensorFlow compiles the loop with XLA (``training.jit_compile``); "auto":
        on a GPU, and on CPU for nets without convolutions, whose many small operations XLA
        fuses (its CPU convolutions are slower than oneDNN's)."""
        if self.training.jit_compile != "auto":
            return bool(self.training.jit_compile)
        if self.device() != "cpu":
            return True
        return not any(isinstance(layer, CONVOLUTIONS) for layer in self.model_.layers)

    def one_hot(self) -> bool:
        """Whether targets are one-hot rows: for the quadratic loss over several classes."""
        return self.training.loss == "quadratic" and not self.binary_

    def compile(self) -> None:
        """The optimiser, and the loss and accuracy that suit the model's output."""
        loss, accuracy = loss_and_accuracy(self.training.loss, self.binary_, self.logits_)
        self.loss_ = loss
        self.model_.compile(
            optimizer=OPTIMIZERS[self.training.optimizer](self.training.learning_rate),
            loss=loss,
            metrics=[accuracy],
            # Keras's own choice on the other backends (JAX always compiles with XLA)
            jit_compile=self.jit_compile() if keras.backend.backend() == "tensorflow" else "auto",
        )

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """Labels as the loss wants them: floats in {0, 1} for one output unit, one-hot rows
        for the quadratic loss over several classes, else integers."""
        if self.one_hot():
            one_hot: np.ndarray = np.eye(self.n_classes_, dtype=np.float32)[labels]
            return one_hot
        return labels.astype(np.float32) if self.binary_ else labels

    def predict(self, x: np.ndarray) -> np.ndarray:
        return decide(predict_scores(self.model_, x), self.threshold())

    @optional(gives_probabilities)
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """The softmax's or sigmoid's outputs as class probabilities (a net whose last layer
        gives logits or hinge scores has none)."""
        return output_probabilities(predict_scores(self.model_, x))

    def threshold(self) -> float:
        """Where one output unit's score turns to class 1: 0 for a logit, 0.5 for a sigmoid."""
        return 0.0 if self.logits_ else 0.5
