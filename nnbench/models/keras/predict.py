"""Where a Keras net computes, and how the shared loop's nets predict: batch by batch, their
outputs as labels' scores or, after a softmax or sigmoid, as class probabilities; what every
model whose fitted net is a Keras model shares (:class:`KerasNet`); and the GPU's peak memory.
Only Keras 3's backend-neutral API is used, except to name the device and read its memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import numpy.typing as npt

from nnbench.models.base import Model

#: values per prediction batch: 4,000 MNIST digits or 70 candidate photos; the CNN's first layer
#: then holds 260 MB of activations (3.7 GB for 1,000 photos)
PREDICT_BATCH_VALUES = 4000 * 28 * 28


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
        import jax  # an optional Keras backend

        device = jax.devices()[0]
        if device.platform == "gpu":
            return f"gpu:{device.device_kind}"
    elif backend == "torch":
        import torch  # an optional Keras backend

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
    scores: np.ndarray = np.concatenate(
        [
            np.asarray(model.predict_on_batch(images[start : start + batch]))
            for start in range(0, len(images), batch)
        ]
    )
    return scores


def decide(scores: np.ndarray, threshold: float = 0.5) -> npt.NDArray[np.int64]:
    """The labels a net's outputs choose: the class of the largest output, or, for one output
    unit, class 1 where it exceeds ``threshold`` (0.5 for a sigmoid, 0 for a logit)."""
    labels: npt.NDArray[np.int64] = (
        (scores[:, 0] > threshold).astype(np.int64) if scores.shape[1] == 1 else scores.argmax(1)
    )
    return labels


def output_probabilities(scores: np.ndarray) -> np.ndarray:
    """Class probabilities from a softmax's outputs, or from one sigmoid unit's (the
    probability of class 1), as float64 rows that sum to 1."""
    scores = scores.astype(np.float64)
    if scores.shape[1] == 1:
        return np.concatenate([1 - scores, scores], axis=1)
    probabilities: np.ndarray = scores / scores.sum(axis=1, keepdims=True)
    return probabilities


def gives_probabilities(model: Any) -> bool:
    """Whether a fitted Keras-loop model's outputs are probabilities (a softmax or sigmoid
    output), not logits or hinge scores: then it has ``predict_proba``."""
    return getattr(model, "logits_", True) is False


class KerasNet(Model):
    """A model whose fitted net is the Keras model ``model_``: its parameters, their bytes, its
    saved ``.keras`` file and its device come from that net."""

    model_: keras.Model

    def n_params(self) -> int:
        return int(self.model_.count_params())

    def parameter_bytes(self) -> int:
        return int(sum(weight.nbytes for weight in self.model_.get_weights()))

    def save(self, folder: Path) -> Path:
        path = folder / "model.keras"
        self.model_.save(path)
        return path

    def device(self) -> str:
        return keras_device()


def reset_device_peak() -> None:
    """Start the GPU's peak-memory statistic afresh, where the backend can (TensorFlow and
    PyTorch; JAX keeps its peak since the process started)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")
    elif backend == "torch":
        import torch

        torch.cuda.reset_peak_memory_stats()


def device_peak_bytes() -> int | None:
    """The GPU's peak memory in use, in bytes: since :func:`reset_device_peak` on TensorFlow and
    PyTorch, since the process started on JAX; None where the backend does not say."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return int(tf.config.experimental.get_memory_info("GPU:0")["peak"])
    if backend == "jax":
        import jax

        stats = jax.devices()[0].memory_stats() or {}
        peak = stats.get("peak_bytes_in_use")
        return None if peak is None else int(peak)
    if backend == "torch":
        import torch

        return int(torch.cuda.max_memory_allocated())
    return None
