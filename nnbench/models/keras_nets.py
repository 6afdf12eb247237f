"""The seed's neural nets in Keras 3, on its backend-neutral API (TensorFlow by default).

Each architecture is one ``keras.Sequential`` list built from (input shape, classes, layer sizes);
:class:`KerasClassifier` adds the shared training loop, history and device handling.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import keras
import numpy as np
from keras import layers

from nnbench.errors import ConfigError
from nnbench.models.base import NO_MONITOR, EpochCallback, Model, ModelT, Monitor

#: values per prediction batch: 4,000 MNIST digits or 70 candidate photos; the CNN's first layer
#: then holds 260 MB of activations (3.7 GB for 1,000 photos)
PREDICT_BATCH_VALUES = 4000 * 28 * 28
#: the seed's two output forms: a softmax over the classes, or one logistic unit for two classes
OUTPUTS = ("softmax", "sigmoid")


def output_layer(n_classes: int, output: str = "softmax") -> layers.Layer:
    """Softmax over the classes, or (``output="sigmoid"``) one logistic unit for two classes."""
    if output not in OUTPUTS:
        raise ConfigError(f"output {output!r} is unknown; use one of {', '.join(OUTPUTS)}.")
    if output == "sigmoid":
        if n_classes != 2:
            raise ConfigError(
                f"output 'sigmoid' needs exactly 2 classes, and this dataset has {n_classes}; "
                "use output 'softmax'."
            )
        return layers.Dense(1, activation="sigmoid")
    return layers.Dense(n_classes, activation="softmax")


def dense_net(
    input_shape: Sequence[int],
    n_classes: int,
    hidden_units: Sequence[int],
    output: str = "softmax",
) -> keras.Sequential:
    """Flattened pixels -> Dense(ReLU) per entry of ``hidden_units`` -> output layer."""
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            *[layers.Dense(units, activation="relu") for units in hidden_units],
            output_layer(n_classes, output),
        ]
    )


def conv_net(
    input_shape: Sequence[int],
    n_classes: int,
    filters: Sequence[int],
    kernel_size: int,
    pool_size: int,
    dense_units: Sequence[int],
    output: str = "softmax",
) -> keras.Sequential:
    """(Conv2D(ReLU, valid) -> MaxPool) per entry of ``filters``, Flatten, Dense(ReLU)s, output."""
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            layers.Rescaling(1 / 255),
            *[
                layer
                for n_filters in filters
                for layer in (
                    layers.Conv2D(n_filters, kernel_size, activation="relu", padding="valid"),
                    layers.MaxPooling2D(pool_size),
                )
            ],
            layers.Flatten(),
            *[layers.Dense(units, activation="relu") for units in dense_units],
            output_layer(n_classes, output),
        ]
    )


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


class KerasClassifier(Model):
    """Shared training for the Keras nets: Adam for a fixed number of epochs.

    ``output`` picks the seed's output form: "softmax" (sparse categorical cross-entropy) or
    "sigmoid" (one logistic unit, binary cross-entropy; two classes only). Subclasses take their
    architecture's parameters and pass ``**training`` on to this class.
    """

    def __init__(
        self,
        output: str = "softmax",
        epochs: int = 5,
        batch_size: int = 100,
        learning_rate: float = 0.001,
        steps_per_execution: int = 100,
        seed: int = 0,
    ) -> None:
        self.output = output
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.steps_per_execution = steps_per_execution
        self.seed = seed

    @abstractmethod
    def build(self, input_shape: Sequence[int], n_classes: int) -> keras.Sequential:
        """The architecture for these parameters."""

    def fit(
        self: ModelT, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> ModelT:
        keras.utils.set_random_seed(self.seed)
        self.model_ = self.build(x.shape[1:], n_classes)
        binary = self.output == "sigmoid"
        self.model_.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
            metrics=[
                keras.metrics.BinaryAccuracy(name="accuracy")
                if binary
                else keras.metrics.SparseCategoricalAccuracy(name="accuracy")
            ],
            steps_per_execution=self.steps_per_execution,
            # XLA made the CNN twice as slow on CPU; let Keras decide on accelerators.
            jit_compile=False if self.device() == "cpu" else "auto",
        )
        recorder = EpochRecorder(monitor.on_epoch_end)
        watched = monitor.eval_images is not None and monitor.eval_labels is not None
        self.model_.fit(
            ImageBatches(x, self.targets(y), self.batch_size, shuffle_seed=self.seed),
            epochs=self.epochs,
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
        self.info_: dict = {}
        self.eval_during_fit_s_ = recorder.eval_s
        return self

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """Labels as the loss wants them: floats in {0, 1} for a sigmoid, else integers."""
        return labels.astype(np.float32) if self.output == "sigmoid" else labels

    def predict(self, x: np.ndarray) -> np.ndarray:
        # batch by batch: Keras's predict() kept 2.6 GB more in memory on 12k candidate-size photos
        batch = predict_batch_size(x)
        scores = np.concatenate(
            [
                np.asarray(self.model_.predict_on_batch(x[start : start + batch]))
                for start in range(0, len(x), batch)
            ]
        )
        if self.output == "sigmoid":
            return (scores[:, 0] > 0.5).astype(np.int64)
        return scores.argmax(axis=1)

    def n_params(self) -> int:
        return int(self.model_.count_params())

    def device(self) -> str:
        return keras_device()


class DenseNN(KerasClassifier):
    """Fully connected net: ReLU hidden layers of ``hidden_units``, then the output layer."""

    name: ClassVar[str] = "dense_nn"

    def __init__(self, hidden_units: Sequence[int] = (128, 128, 128), **training: Any) -> None:
        self.hidden_units = hidden_units
        super().__init__(**training)

    def build(self, input_shape: Sequence[int], n_classes: int) -> keras.Sequential:
        return dense_net(input_shape, n_classes, self.hidden_units, self.output)


class CNN(KerasClassifier):
    """Convolutional net: conv/pool blocks of ``filters``, then dense layers of ``dense_units``."""

    name: ClassVar[str] = "cnn"

    def __init__(
        self,
        filters: Sequence[int] = (64, 64),
        kernel_size: int = 3,
        pool_size: int = 2,
        dense_units: Sequence[int] = (128, 128),
        **training: Any,
    ) -> None:
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.dense_units = dense_units
        super().__init__(**training)

    def build(self, input_shape: Sequence[int], n_classes: int) -> keras.Sequential:
        return conv_net(
            input_shape,
            n_classes,
            self.filters,
            self.kernel_size,
            self.pool_size,
            self.dense_units,
            self.output,
        )
