"""The static shape of a result document that :func:`nnbench.schemas.result.validate` has
passed: one ``TypedDict`` per model of :mod:`nnbench.schemas.result`, key for key (a test keeps
them in step). Pydantic checks a document at run time; these say to mypy what a checked one
holds. A field the model gives a default may be absent (``total=False``), since a document is
used as read, not as pydantic fills it in.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

SchemaName = Literal["nnbench.result/1"]
Status = Literal["ok", "failed", "skipped"]
#: what a failed result's ``error_kind`` says went wrong: its data could not be read, its
#: configuration was wrong (both bad input), the model failed on good data, or the cell ran past
#: its time limit (``--timeout``; a model failure too)
ErrorKind = Literal["data", "config", "model", "timeout"]
#: what a model's parameters are: free-form, each model declares its own
Params = dict[str, Any]
#: where a model's code comes from (its kind, reference, file or distribution, and ``code``):
#: free-form, as each kind of model records it
Provenance = dict[str, Any]


class _SplitMetricsRequired(TypedDict):
    accuracy: float
    per_class: dict[str, float | None]
    n: int


class SplitMetricsDoc(_SplitMetricsRequired, total=False):
    """:class:`~nnbench.schemas.result.SplitMetrics`."""

    support: dict[str, int]
    confusion: list[list[int]] | None
    scores: dict[str, float]


class TimingDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.Timing`."""

    fit_s: float | None
    predict_s: float | None
    eval_during_fit_s: float | None
    wall_s: float | None
    load_s: float | None
    build_s: float | None
    compile_s: float | None
    train_s: float | None
    score_s: float | None
    measure_s: float | None


class _MemoryCostRequired(TypedDict):
    peak_rss_bytes: int
    start_rss_bytes: int
    interval_s: float
    samples: int
    sampler_cpu_s: float


class MemoryCostDoc(_MemoryCostRequired, total=False):
    """:class:`~nnbench.schemas.result.MemoryCost`."""

    device_peak_bytes: int | None


class InferenceCostDoc(TypedDict):
    """:class:`~nnbench.schemas.result.InferenceCost`."""

    latency_p50_s: float
    latency_p95_s: float
    latency_n: int
    throughput_per_s: float
    throughput_batch: int
    throughput_images: int


class SizeCostDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.SizeCost`."""

    parameter_bytes: int | None
    saved_bytes: int | None
    saved_format: str | None
    unsaved_reason: str | None


class CostDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.Cost`."""

    memory: MemoryCostDoc | None
    inference: InferenceCostDoc | None
    size: SizeCostDoc | None


class _EpochRequired(TypedDict):
    epoch: int


class EpochDoc(_EpochRequired, total=False):
    """:class:`~nnbench.schemas.result.Epoch`."""

    elapsed_s: float | None
    train_loss: float | None
    train_accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    validation_loss: float | None
    validation_accuracy: float | None


class EnvironmentDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.Environment`."""

    device: str | None
    keras_backend: str | None
    python: str | None
    numpy: str | None
    sklearn: str | None
    tensorflow: str | None
    keras: str | None
    pandas: str | None
    nnbench: str | None
    cpu: str | None
    cores: int | None
    platform: str | None
    git_commit: str | None
    started_at: str | None


class DataFactsDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.DataFacts`."""

    synthetic: bool
    subset: int | None
    n_train: int | None
    n_test: int | None
    fingerprint: str | None
    validation: float | None
    n_validation: int | None
    cached: bool | None
    #: what the dataset describes of itself, which the schema keeps unchecked: the input's
    #: shape, the class names, and the sizes its images were resized from
    name: str
    input_shape: list[int]
    classes: list[str]
    resized: dict[str, list[Any]]


class ModelInfoDoc(TypedDict, total=False):
    """:class:`~nnbench.schemas.result.ModelInfo`."""

    n_nonzero: int | None
    converged: bool | None


class PredictionsDoc(TypedDict):
    """:class:`~nnbench.schemas.result.PredictionsRecord`."""

    file: str
    sha256: str
    test_labels: str
    n: int
    probabilities: bool


class _ResultRequired(TypedDict):
    schema: SchemaName
    dataset: str
    model: str
    seed: int
    params: Params
    status: Status
    error: str | None
    n_params: int | None
    metrics: dict[str, SplitMetricsDoc]
    timing: TimingDoc
    history: list[EpochDoc]
    env: EnvironmentDoc


class ResultDoc(_ResultRequired, total=False):
    """:class:`~nnbench.schemas.result.ResultDocument`: one cell's result file, checked."""

    variant: str | None
    error_kind: ErrorKind | None
    skip_reason: str | None
    data: DataFactsDoc
    model_info: ModelInfoDoc | None
    model_origin: Provenance
    cell_id: str | None
    slot_id: str | None
    cell_index: int
    study: str | None
    attempts: int
    warnings: list[str]
    predictions: PredictionsDoc | None
    cost: CostDoc | None
