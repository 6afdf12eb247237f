"""The contract every model follows: scikit-learn style, uint8 images in, integer labels out."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
from typing_extensions import Self

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


@dataclass(frozen=True)
class DataInfo:
    """What a model may know of a dataset before it trains: one image's shape (H x W x C), the
    class names, and the number of training images."""

    input_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    n_train: int

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


class SkipCell(Exception):  # noqa: N818 (it is a signal, like pytest's Skipped)
    """Raised by a Keras builder that cannot serve a dataset; the cell is skipped with the
    message as its reason (a model class returns the reason from ``skip_reason`` instead).

    ``parameters`` names the parameters that cause it: when the user set one of them for the
    cell, the value is bad input for this data, refused before anything trains, not a skip.
    """

    def __init__(self, reason: str, parameters: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.parameters = tuple(parameters)


NO_MONITOR = Monitor()
#: memory for one float32 chunk of images in the scikit-learn models
CHUNK_BYTES = 256 * 2**20


def unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], one row per image (the classic models' input)."""
    pixels: np.ndarray = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    return pixels


def init_chain(cls: type) -> Iterator[list[inspect.Parameter]]:
    """The parameters (``self`` left out) of each ``__init__`` that builds ``cls``: its own, and
    its bases' for as long as each passes ``**kwargs`` on."""
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        parameters = list(inspect.signature(vars(klass)["__init__"]).parameters.values())[1:]
        yield parameters
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            return


def constructor_parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The named parameters of ``cls``'s constructor (not ``*args`` or ``**kwargs``)."""
    found: dict[str, inspect.Parameter] = {}
    for parameters in init_chain(cls):
        for parameter in parameters:
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                found.setdefault(parameter.name, parameter)
    return found


def takes_any_keyword(parameters: list[inspect.Parameter]) -> bool:
    """Whether a signature's ``**kwargs`` takes keywords it does not name."""
    return any(p.kind is p.VAR_KEYWORD for p in parameters)


class Model(ABC):
    """A classifier. ``__init__`` stores parameters only (``seed`` among them); ``fit`` learns
    and returns ``self``.

    After ``fit``: ``history_`` holds one row per epoch (empty for models without epochs),
    ``info_`` holds model-specific facts for the result file, such as convergence, and
    ``warnings_`` (optional) says what went wrong in training.

    ``parameter_bytes`` and ``save`` give the model's size (a model that cannot tell or cannot
    be saved is still measured for the rest). ``fit_phases_`` (optional) says how many seconds
    of ``fit`` went to building the model (``build_s``) and to the first step's compile or trace
    (``compile_s``); the rest of the fit time is training.

    Optional: ``predict_proba(x)``, the class probabilities (N x n_classes, rows summing to 1,
    their argmax the label ``predict`` gives). A model that has it gets log-loss, Brier score,
    calibration and ROC-AUC in its results; one that cannot give probabilities leaves it out,
    so that ``hasattr(model, "predict_proba")`` is False (see :func:`optional` and
    :func:`class_probabilities`).
    """

    #: one row per epoch, set by ``fit`` (empty for models without epochs)
    history_: list[dict[str, Any]]
    #: model-specific facts for the result file (its ``model_info``), set by ``fit``
    info_: dict[str, Any]
    #: seconds of ``fit`` spent scoring the monitor's images (left out of the reported fit time)
    eval_during_fit_s_: float = 0.0
    #: what went wrong in training although ``fit`` returned (a loss far above guessing); each
    #: is recorded in the result and printed at the end of the run
    warnings_: Sequence[str] = ()
    #: seconds of ``fit`` spent building the model and compiling its first step, by phase
    fit_phases_: Mapping[str, float] = MappingProxyType({})

    @classmethod
    def param_names(cls) -> list[str]:
        """Names of the constructor's parameters, ``seed`` included."""
        return list(constructor_parameters(cls))

    def get_params(self) -> dict[str, Any]:
        """Every hyperparameter in use, the seed excluded (a result stores it on its own)."""
        return {name: getattr(self, name) for name in self.param_names() if name != "seed"}

    def skip_reason(self, data: DataInfo) -> str | None:
        """Why this model cannot run on such data (the cell is then skipped with the reason,
        not failed), or None. Called before ``fit``."""
        return None

    @abstractmethod
    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        """Learn from uint8 images ``x`` (N x H x W x C) and labels ``y`` in 0..n_classes-1."""

    @abstractmethod
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted integer labels for uint8 images ``x``."""

    @abstractmethod
    def n_params(self) -> int | None:
        """Number of learned parameters (None when the model cannot count them)."""

    def device(self) -> str:
        """Where the model computes: "cpu" or "gpu:<name>"."""
        return "cpu"

    def parameter_bytes(self) -> int | None:
        """Bytes of the learned parameters in their dtype (None when the model cannot tell)."""
        return None

    def save(self, folder: Path) -> Path:
        """Write the fitted model into ``folder`` and return the file's path: a joblib pickle
        of the whole model here; a Keras net saves a ``.keras`` file."""
        import joblib

        path = folder / "model.joblib"
        joblib.dump(self, path)
        return path


def optional(available: Callable[[Any], bool]) -> Callable[[Callable[..., Any]], Any]:
    """A method that a model has only when ``available(model)``: otherwise reading it raises
    AttributeError, so that ``hasattr`` is False. scikit-learn's ``available_if`` does the same;
    this one keeps scikit-learn out of every import of the contract (``nnbench --help``)."""

    def wrap(method: Callable[..., Any]) -> Any:
        def get(model: Any) -> Any:
            if not available(model):
                raise AttributeError(f"{type(model).__name__} has no {method.__name__}")
            return method.__get__(model)

        return property(get, doc=method.__doc__)

    return wrap


def class_probabilities(model: Model, x: np.ndarray) -> np.ndarray | None:
    """The model's class probabilities for ``x``, or None for a model without
    ``predict_proba``."""
    predict_proba = getattr(model, "predict_proba", None)
    return None if predict_proba is None else np.asarray(predict_proba(x), dtype=np.float64)


def row_chunks(images: np.ndarray) -> Iterator[slice]:
    """Slices of rows whose float32 copy fits in ``CHUNK_BYTES`` (at least one row each)."""
    row_bytes = 4 * max(1, int(np.prod(images.shape[1:])))
    step = max(1, CHUNK_BYTES // row_bytes)
    for start in range(0, len(images), step):
        yield slice(start, start + step)


class SklearnClassifier(Model):
    """A scikit-learn estimator on flattened [0, 1] pixels; subclasses choose the estimator.

    Prediction always goes by chunks, so that no float copy of a large image set is ever made
    whole. A subclass whose estimator's ``partial_fit`` is exactly ``fit`` split up (naive
    Bayes's counts) sets ``incremental`` and learns chunk by chunk too.
    """

    incremental: ClassVar[bool] = False

    @abstractmethod
    def make_estimator(self) -> Any:
        """A new, unfitted estimator for these parameters."""

    def fit(
        self, x: np.ndarray, y: np.ndarray, *, n_classes: int, monitor: Monitor = NO_MONITOR
    ) -> Self:
        estimator = self.make_estimator()
        if self.incremental:
            classes = np.arange(n_classes)
            for rows in row_chunks(x):
                estimator.partial_fit(unit_float(x[rows]), y[rows], classes=classes)
        else:
            estimator.fit(unit_float(x), y)
        self.estimator_ = estimator
        self.n_classes_ = n_classes
        self.history_ = []
        self.info_ = {}
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [np.asarray(self.estimator_.predict(unit_float(x[rows]))) for rows in row_chunks(x)]
        ).astype(np.int64)

    def learned_arrays(self) -> list[np.ndarray] | None:
        """The fitted estimator's arrays that are its parameters (None: not known here);
        :meth:`n_params` and :meth:`parameter_bytes` count them."""
        return None

    def n_params(self) -> int | None:
        arrays = self.learned_arrays()
        return None if arrays is None else int(sum(array.size for array in arrays))

    def parameter_bytes(self) -> int | None:
        arrays = self.learned_arrays()
        return None if arrays is None else int(sum(array.nbytes for array in arrays))

    def estimator_has_proba(self) -> bool:
        """Whether the estimator (fitted, or else as it would be made) gives probabilities."""
        estimator = getattr(self, "estimator_", None)
        return hasattr(self.make_estimator() if estimator is None else estimator, "predict_proba")

    @optional(estimator_has_proba)
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """The estimator's probabilities, one column per class of the data (a class the
        training images lacked gets probability 0)."""
        proba = np.zeros((len(x), self.n_classes_))
        columns = np.asarray(self.estimator_.classes_, dtype=np.int64)
        for rows in row_chunks(x):
            proba[rows, columns] = self.estimator_.predict_proba(unit_float(x[rows]))
        return proba
