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

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict
from typing import Any

import keras
import numpy as np

from nnbench.errors import ConfigError
from nnbench.models.base import (
    NO_MONITOR,
    DataInfo,
    EpochCallback,
    Model,
    ModelT,
    Monitor,
    SkipCell,
)
from nnbench.models.keras_compile import OPTIMIZERS, gives_logits, loss_and_accuracy
from nnbench.models.training import Training

#: values per prediction batch: 4,000 MNIST digits or 70 candidate photos; the CNN's first layer
#: then holds 260 MB of activations (3.7 GB for 1,000 photos)
PREDICT_BATCH_VALUES = 4000 * 28 * 28
Builder = Callable[..., keras.Model]


def keras_device() -> str:
    """ "gpu:<name>" when the active Keras backend sees a GPU, else "cpu"."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return f"gpu:{details.get('device_name', gpus[0].name)}"
    elif backend == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform == "gpu":
            return f"gpu:{device.device_kind}"
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            return f"gpu:{torch.cuda.get_device_name(0)}"
    return "cpu"


def predict_batch_size(images: np.ndarray) -> int:
    """Images per prediction batch: as many as fit in :data:`PREDICT_BATCH_VALUES` values."""
    return max(1, PREDICT_BATCH_VALUES // max(1, int(np.prod(images.shape[1:]))))


def predict_scores(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The model's outputs for ``images``, batch by batch: Keras's predict() kept 2.6 GB more in
    memory on 12k candidate-size photos."""
    batch = predict_batch_size(images)
    return np.concatenate(
        [
            np.asarray(model.predict_on_batch(images[start : start + batch]))
            for start in range(0, len(images), batch)
        ]
    )


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


class ImageBatches(keras.utils.PyDataset):
    """Batches cut from uint8 arrays as training asks for them, reshuffled each epoch if asked.

    Given whole arrays, Keras copies them into backend tensors: one epoch of the dense net on
    36k photos of the candidates' size, then prediction, peaked at 14 GB of memory; with these
    batches (and prediction batch by batch), at 3.0 GB.
    """

    def __init__(
        self,
        images: np.ndarray,
        targets: np.ndarray,
        batch_size: int,
        shuffle_seed: int | None = None,
    ) -> None:
        super().__init__()
        self.images = images
        self.targets = targets
        self.batch_size = batch_size
        self.rng = None if shuffle_seed is None else np.random.default_rng(shuffle_seed)
        self.order = np.arange(len(images))
        self.on_epoch_end()

    def __len__(self) -> int:
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.images[rows], self.targets[rows]

    def on_epoch_end(self) -> None:
        if self.rng is not None:
            self.order = self.rng.permutation(len(self.images))


class EpochRecorder(keras.callbacks.Callback):
    """Records one history row per epoch; ``elapsed_s`` counts training time only.

    Keras runs the per-epoch evaluation of ``validation_data`` between ``on_test_begin`` and
    ``on_test_end``; that time is left out of ``elapsed_s`` so that learning curves show training
    cost alone.
    """

    def __init__(self, on_epoch_end: EpochCallback | None) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.train_s = 0.0
        self.eval_s = 0.0
        self._notify = on_epoch_end

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()
        self._eval_start: float | None = None

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._eval_start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        now = time.perf_counter()
        eval_s = now - self._eval_start if self._eval_start is not None else 0.0
        self.train_s += now - self._epoch_start - eval_s
        self.eval_s += eval_s
        logs = logs or {}
        row = {
            "epoch": epoch + 1,
            "train_loss": float(logs["loss"]),
            "train_accuracy": float(logs["accuracy"]),
            "test_loss": float(logs["val_loss"]) if "val_loss" in logs else None,
            "test_accuracy": float(logs["val_accuracy"]) if "val_accuracy" in logs else None,
            "elapsed_s": round(self.train_s, 4),
        }
        self.rows.append(row)
        if self._notify is not None:
            self._notify(row)


class KerasModel(Model):
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
        self: ModelT, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> ModelT:
        keras.utils.set_random_seed(self.seed)
        self.n_classes_ = n_classes
        self.model_ = self.network(x.shape[1:], n_classes)
        self.binary_ = self.model_.output_shape[-1] == 1
        self.logits_ = gives_logits(self.model_)
        self.compile()
        initial = [layer.get_weights() for layer in self.model_.layers]
        recorder = EpochRecorder(monitor.on_epoch_end)
        watched = monitor.eval_images is not None and monitor.eval_labels is not None
        self.model_.fit(
            ImageBatches(x, self.targets(y), self.training.batch_size, shuffle_seed=self.seed),
            epochs=self.training.epochs,
            validation_data=(
                ImageBatches(
                    monitor.eval_images,
                    self.targets(monitor.eval_labels),
                    predict_batch_size(monitor.eval_images),
                )
                if watched
                else None
            ),
            shuffle=False,  # ImageBatches shuffles, reproducibly, on every backend
            callbacks=[recorder],
            verbose=0,
        )
        self.history_ = recorder.rows
        self.info_: dict = untrained_layers(self.model_, initial)
        self.eval_during_fit_s_ = recorder.eval_s
        return self

    def one_hot(self) -> bool:
        """Whether targets are one-hot rows: for the quadratic loss over several classes."""
        return self.training.loss == "quadratic" and not self.binary_

    def compile(self) -> None:
        """The optimiser, and the loss and accuracy that suit the model's output."""
        loss, accuracy = loss_and_accuracy(self.training.loss, self.binary_, self.logits_)
        self.model_.compile(
            optimizer=OPTIMIZERS[self.training.optimizer](self.training.learning_rate),
            loss=loss,
            metrics=[accuracy],
            steps_per_execution=self.training.steps_per_execution,
            # XLA made the CNN twice as slow on CPU; let Keras decide on accelerators.
            jit_compile=False if self.device() == "cpu" else "auto",
        )

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """Labels as the loss wants them: floats in {0, 1} for one output unit, one-hot rows
        for the quadratic loss over several classes, else integers."""
        if self.one_hot():
            return np.eye(self.n_classes_, dtype=np.float32)[labels]
        return labels.astype(np.float32) if self.binary_ else labels

    def predict(self, x: np.ndarray) -> np.ndarray:
        scores = predict_scores(self.model_, x)
        if self.binary_:
            return (scores[:, 0] > (0.0 if self.logits_ else 0.5)).astype(np.int64)
        return scores.argmax(axis=1)

    def n_params(self) -> int:
        return int(self.model_.count_params())

    def device(self) -> str:
        return keras_device()
