"""The contract every model follows: scikit-learn style, uint8 images in, integer labels out."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

from nnbench.errors import ConfigError

EpochCallback = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Monitor:
    """What a model with epochs watches while it trains, for learning curves only.

    ``eval_images``/``eval_labels`` are scored after each epoch and never steer training;
    ``on_epoch_end`` receives each history row as it is made.
    """

    eval_images: np.ndarray | None = None
    eval_labels: np.ndarray | None = None
    on_epoch_end: EpochCallback | None = None


NO_MONITOR = Monitor()
#: memory for one float32 chunk of images in the scikit-learn models
CHUNK_BYTES = 256 * 2**20
ModelT = TypeVar("ModelT", bound="Model")


def unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], one row per image (the classic models' input)."""
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


class Model(ABC):
    """A classifier. ``__init__`` stores parameters only; ``fit`` learns and returns ``self``.

    After ``fit``: ``history_`` holds one row per epoch (empty for models without epochs) and
    ``info_`` holds model-specific facts for the result file, such as convergence.
    """

    name: ClassVar[str]
    #: seconds of ``fit`` spent scoring the monitor's images (left out of the reported fit time)
    eval_during_fit_s_: float = 0.0

    @classmethod
    def param_names(cls) -> list[str]:
        """Names of the constructor's parameters, ``seed`` included.

        An ``__init__`` that passes ``**kwargs`` up to its base adds the base's parameters.
        """
        names: list[str] = []
        for klass in cls.__mro__:
            if "__init__" not in vars(klass):
                continue
            parameters = inspect.signature(klass.__init__).parameters.values()
            names += [
                p.name
                for p in parameters
                if p.name != "self" and p.kind is not p.VAR_KEYWORD and p.name not in names
            ]
            if not any(p.kind is p.VAR_KEYWORD for p in parameters):
                return names
        return names

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
        self: ModelT, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> ModelT:
        """Learn from uint8 images ``x`` (N x H x W x C) and labels ``y`` in 0..n_classes-1."""

    @abstractmethod
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted integer labels for uint8 images ``x``."""

    @abstractmethod
    def n_params(self) -> int:
        """Number of learned parameters."""

    def device(self) -> str:
        """Where the model computes: "cpu" or "gpu:<name>"."""
        return "cpu"


def row_chunks(images: np.ndarray) -> Iterator[slice]:
    """Slices of rows whose float32 copy fits in ``CHUNK_BYTES`` (at least one row each)."""
    row_bytes = 4 * max(1, int(np.prod(images.shape[1:])))
    step = max(1, CHUNK_BYTES // row_bytes)
    for start in range(0, len(images), step):
        yield slice(start, start + step)


class SklearnClassifier(Model):
    """A scikit-learn estimator on flattened [0, 1] pixels; subclasses choose the estimator.

    Estimators with ``partial_fit`` learn chunk by chunk, and prediction always goes by chunks,
    so that no float copy of a large image set is ever made whole.
    """

    @abstractmethod
    def make_estimator(self) -> Any:
        """A new, unfitted estimator for these parameters."""

    def fit(
        self: ModelT, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> ModelT:
        estimator = self.make_estimator()
        if hasattr(estimator, "partial_fit"):
            classes = np.arange(n_classes)
            for rows in row_chunks(x):
                estimator.partial_fit(unit_float(x[rows]), y[rows], classes=classes)
        else:
            estimator.fit(unit_float(x), y)
        self.estimator_ = estimator
        self.history_: list[dict[str, Any]] = []
        self.info_: dict[str, Any] = {}
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [self.estimator_.predict(unit_float(x[rows])) for rows in row_chunks(x)]
        )
