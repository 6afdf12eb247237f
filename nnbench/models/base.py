"""The contract every model follows: scikit-learn style, uint8 images in, integer labels out."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from nnbench.errors import ConfigError

EpochCallback = Callable[[dict[str, Any]], None]
EvalSet = tuple[np.ndarray, np.ndarray]


def unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], one row per image (the classic models' input)."""
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


class Model(ABC):
    """A classifier. ``__init__`` stores parameters only; ``fit`` learns and returns ``self``.

    After ``fit``: ``history_`` holds one row per epoch (empty for models without epochs) and
    ``info_`` holds model-specific facts for the result file, such as convergence.
    """

    name: ClassVar[str]
    #: seconds of ``fit`` spent watching ``eval_set`` (left out of the reported fit time)
    eval_during_fit_s_: float = 0.0

    @classmethod
    def param_names(cls) -> list[str]:
        """Names of the constructor's parameters, ``seed`` included."""
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    @classmethod
    def from_params(cls, params: dict[str, Any], seed: int) -> Model:
        """Build the model, naming any parameter it does not take."""
        allowed = [name for name in cls.param_names() if name != "seed"]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ConfigError(
                f"Model {cls.name!r} has no parameter {', '.join(map(repr, unknown))}. "
                f"Its parameters: {', '.join(allowed)}."
            )
        return cls(**params, seed=seed)

    def get_params(self) -> dict[str, Any]:
        """Every hyperparameter in use, the seed excluded (a result stores it on its own)."""
        return {name: getattr(self, name) for name in self.param_names() if name != "seed"}

    @abstractmethod
    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        n_classes: int,
        eval_set: EvalSet | None = None,
        on_epoch_end: EpochCallback | None = None,
    ) -> Model:
        """Learn from uint8 images ``x`` (N x H x W x C) and labels ``y`` in 0..n_classes-1.

        ``eval_set`` is only watched after each epoch, for learning curves; it never steers
        training. ``on_epoch_end`` receives each history row as it is made.
        """

    @abstractmethod
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted integer labels for uint8 images ``x``."""

    @abstractmethod
    def n_params(self) -> int:
        """Number of learned parameters."""

    def device(self) -> str:
        """Where the model computes: "cpu" or "gpu:<name>"."""
        return "cpu"
