"""The result file's schema, ``nnbench.result/1``: every field the tables read, with its type
and range, checked before a document is written and after it is read.

Keys the tables do not read (``model_origin``, ``traceback``, a model's own ``model_info``) are
kept as they are.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, cast, get_args

from pydantic import Field, model_validator

from nnbench.errors import ResultFileError
from nnbench.schemas import Count, Fraction, PositiveInt64, Seconds, Seed, StrictModel, validated
from nnbench.schemas.result_types import (
    ErrorKind,
    Params,
    Provenance,
    ResultDoc,
    SchemaName,
    Status,
)

SCHEMA: Final[SchemaName] = "nnbench.result/1"
STATUSES: tuple[Status, ...] = get_args(Status)
ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
DATA_ERROR, CONFIG_ERROR, MODEL_ERROR, TIMEOUT_ERROR = ERROR_KINDS
BAD_INPUT = (DATA_ERROR, CONFIG_ERROR)
#: a result as a cell builds it and an executor carries it back (with its predictions in
#: flight, see :mod:`nnbench.sidecars`), before :func:`validate` checks it: a mutable draft whose
#: keys are filled in step by step; once checked it is a :class:`ResultDoc`
Result = dict[str, Any]


def json_value(value: Any) -> Any:
    """A value JSON cannot hold as a result file holds it: a NumPy number or array as Python's,
    any other object as its ``repr``."""
    return value.tolist() if hasattr(value, "tolist") else repr(value)


def as_json(value: Any) -> Any:
    """``value`` as it reads back from a result file (tuples become lists)."""
    return json.loads(json.dumps(value, default=json_value))


class SplitMetrics(StrictModel):
    """Accuracy on one split: overall, per class (null for a class without images), the number
    of images per class (``support``) and the confusion matrix, rows the true classes."""

    accuracy: Fraction
    per_class: dict[str, Fraction | None]
    n: Count
    support: dict[str, Count] = {}  # support and confusion: absent before nnbench 0.2
    confusion: list[list[Count]] | None = None
    #: metrics beyond accuracy, by name (see :mod:`nnbench.scores`); absent before nnbench 0.6
    scores: dict[str, float] = {}

    @model_validator(mode="after")
    def confusion_is_square(self) -> SplitMetrics:
        size = len(self.per_class)
        rows = self.confusion
        if rows is not None and (len(rows) != size or any(len(row) != size for row in rows)):
            raise ValueError(f"confusion must be {size} x {size}, one row and column per class")
        return self


class Timing(StrictModel):
    """The model's fit and predict times, and (nnbench 0.7) the cell's wall time phase by phase:
    loading its data, building the model, the first step's compile or trace, training proper,
    the per-epoch evaluation, scoring, and measuring its cost (latency, throughput, size). The
    phases add up to ``wall_s``. ``build_s`` counts the time before ``fit`` (making the model)
    and the building the model reports inside it, so ``fit_s`` is train + compile + that part
    of build; with retries, the phases are the last attempt's and ``load_s``."""

    fit_s: Seconds | None = None
    predict_s: Seconds | None = None
    eval_during_fit_s: Seconds | None = None
    wall_s: Seconds | None = None
    load_s: Seconds | None = None
    build_s: Seconds | None = None
    compile_s: Seconds | None = None
    train_s: Seconds | None = None
    score_s: Seconds | None = None
    measure_s: Seconds | None = None


class MemoryCost(StrictModel):
    """The cell's peak memory: resident memory above the level when the cell started, sampled
    every ``interval_s`` by a thread whose own CPU time is ``sampler_cpu_s``; and on a GPU, the
    device's peak memory in use during the cell."""

    peak_rss_bytes: Count
    start_rss_bytes: Count
    interval_s: Seconds
    samples: Count
    sampler_cpu_s: Seconds
    device_peak_bytes: Count | None = None


class InferenceCost(StrictModel):
    """Prediction speed on the test images, on the device the model trained on: the latency of
    one image (median and 95th percentile over ``latency_n`` single-image ``predict`` calls
    after a warm-up), and the throughput at a batch of ``throughput_batch`` images."""

    latency_p50_s: Seconds
    latency_p95_s: Seconds
    latency_n: PositiveInt64
    throughput_per_s: Annotated[float, Field(gt=0)]
    throughput_batch: PositiveInt64
    throughput_images: PositiveInt64


class SizeCost(StrictModel):
    """The model's size: its parameters as bytes in their dtype, and its saved file's bytes (a
    ``.keras`` file for Keras nets, joblib for the rest); ``unsaved_reason`` says why a model
    could not be saved."""

    parameter_bytes: Count | None = None
    saved_bytes: Count | None = None
    saved_format: str | None = None
    unsaved_reason: str | None = None


class Cost(StrictModel):
    """What the cell cost beyond time (nnbench 0.7); a part that could not be measured is
    absent, with a warning in the result."""

    memory: MemoryCost | None = None
    inference: InferenceCost | None = None
    size: SizeCost | None = None


#: a loss, which is NaN or infinite when training diverged
Loss = Annotated[float, Field(allow_inf_nan=True)]


class Epoch(StrictModel):
    """One row of a model's per-epoch history."""

    epoch: Count
    elapsed_s: Seconds | None = None
    train_loss: Loss | None = None
    train_accuracy: Fraction | None = None
    test_loss: Loss | None = None
    test_accuracy: Fraction | None = None
    #: the hold-out's, when the cell has a validation split (the test set is then scored once)
    validation_loss: Loss | None = None
    validation_accuracy: Fraction | None = None


#: the fields of one epoch of a result's history
EPOCH_FIELDS = tuple(Epoch.model_fields)


class Environment(StrictModel):
    """Where the cell ran: versions, processor and cores, commit and start time (all text)."""

    device: str | None = None
    keras_backend: str | None = None
    python: str | None = None
    numpy: str | None = None
    sklearn: str | None = None
    tensorflow: str | None = None
    keras: str | None = None
    pandas: str | None = None
    nnbench: str | None = None
    cpu: str | None = None
    cores: PositiveInt64 | None = None
    platform: str | None = None
    git_commit: str | None = None
    started_at: str | None = None


#: the environment's keys, in order: what the tables' ``env_*`` columns hold
ENV_KEYS = tuple(Environment.model_fields)


class DataFacts(StrictModel):
    synthetic: bool = False
    subset: PositiveInt64 | None = None
    n_train: Count | None = None
    n_test: Count | None = None
    #: the data's content fingerprint, part of the cell's key (absent before nnbench 0.5)
    fingerprint: str | None = None
    #: the share of the training images held out for validation, and how many (nnbench 0.6)
    validation: Fraction | None = None
    n_validation: Count | None = None
    #: whether the cell found its data loaded already in its process (nnbench 0.7)
    cached: bool | None = None


class ModelInfo(StrictModel):
    """The facts of a model that the tables read; a model may add its own."""

    n_nonzero: Count | None = None
    converged: bool | None = None


class PredictionsRecord(StrictModel):
    """Where a result's per-image predictions are (see :mod:`nnbench.sidecars`)."""

    file: str = Field(min_length=1, pattern=r"^[^/\\]+\.predictions\.npz$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    #: the fingerprint of the test labels in order: cells pair only when theirs are equal
    test_labels: str = Field(min_length=1)
    n: Count
    probabilities: bool


class ResultDocument(StrictModel):
    """One cell's result file."""

    schema_: SchemaName = Field(alias="schema")
    dataset: str = Field(min_length=1)
    model: str = Field(min_length=1)
    variant: str | None = None
    seed: Seed
    params: Params
    status: Status
    error: str | None
    error_kind: ErrorKind | None = None
    skip_reason: str | None = None
    n_params: Count | None
    metrics: dict[str, SplitMetrics]
    timing: Timing
    history: list[Epoch]
    env: Environment
    data: DataFacts = DataFacts()
    model_info: ModelInfo | None = None
    model_origin: Provenance = {}
    cell_id: str | None = None
    #: the cell's key without its data, code and nnbench version (absent before nnbench 0.5)
    slot_id: str | None = None
    cell_index: Count = 0
    study: str | None = None
    attempts: PositiveInt64 = 1
    #: what went wrong in a model's training although it ran (a loss far above guessing)
    warnings: list[str] = []
    #: the sidecar file of its per-image test predictions (absent before nnbench 0.6)
    predictions: PredictionsRecord | None = None
    #: peak memory, inference latency and throughput, and size (absent before nnbench 0.7)
    cost: Cost | None = None

    @model_validator(mode="after")
    def ok_has_both_splits(self) -> ResultDocument:
        missing = [split for split in ("train", "test") if split not in self.metrics]
        if self.status == "ok" and missing:
            raise ValueError(f"an ok result needs metrics of {' and '.join(missing)}")
        return self


def validate(result: object, source: str) -> ResultDoc:
    """``result`` unchanged, now known to be a :class:`ResultDoc`; or ResultFileError naming
    ``source`` and each bad field."""
    if not isinstance(result, dict):
        raise ResultFileError(f"{source}: not a JSON object.")
    if result.get("schema") != SCHEMA:
        raise ResultFileError(
            f"{source}: schema {result.get('schema')!r}, expected {SCHEMA!r}. "
            "Was it written by another version of nnbench?"
        )
    validated(ResultDocument, result, source, ResultFileError)
    return cast(ResultDoc, result)  # its shape is what pydantic has just checked
