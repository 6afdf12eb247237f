"""The baseline file's schema, ``nnbench.baseline/1``: per (dataset, model), the statistics
over seeds that ``nnbench check`` compares a run against."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from annotated_types import Ge
from pydantic import Field, model_validator

from nnbench.errors import BaselineError
from nnbench.schemas import Fraction, PositiveInt64, Seconds, Seed, StrictModel, validated

SchemaName = Literal["nnbench.baseline/1"]
SCHEMA: Final[SchemaName] = "nnbench.baseline/1"
#: a checked baseline document; still a plain dict, as the gate (:mod:`nnbench.gate`) that reads
#: it has not been given a typed view of it yet
Baseline = dict[str, Any]


class Stat(StrictModel):
    """A statistic over seeds; ``sd`` is null for one seed."""

    mean: float
    sd: Annotated[float, Ge(0)] | None
    n: PositiveInt64
    values: list[float] = []


class AccuracyStat(Stat):
    mean: Fraction
    values: list[Fraction] = []


class TimingStat(Stat):
    mean: Seconds
    values: list[Seconds] = []


#: peak memory in bytes: like seconds, never negative
MemoryStat = TimingStat


class BaselineCell(StrictModel):
    """One (dataset, model): its seeds, protocol and environment, and its statistics."""

    dataset: str = Field(min_length=1)
    model: str = Field(min_length=1)
    seeds: list[Seed] = Field(min_length=1)
    protocol: dict[str, Any]
    env: dict[str, Any] = {}
    test_accuracy: AccuracyStat
    per_class: dict[str, AccuracyStat | None]
    fit_s: TimingStat | None = None
    predict_s: TimingStat | None = None
    #: peak memory in bytes, where the seeds recorded it (nnbench 0.7): resident above the
    #: cell's start, and a GPU's in use
    peak_rss_bytes: MemoryStat | None = None
    device_peak_bytes: MemoryStat | None = None
    #: the baseline's ``metric`` on the test set, when it is not accuracy (nnbench 0.6)
    test_metric: Stat | None = None


class BaselineDocument(StrictModel):
    schema_: SchemaName = Field(alias="schema")
    provenance: dict[str, Any] = {}
    #: the metric a check gates on (see nnbench.scores); each cell's ``test_metric`` holds it
    metric: str = "accuracy"
    cells: list[BaselineCell] = Field(min_length=1)

    @model_validator(mode="after")
    def one_cell_per_pair(self) -> BaselineDocument:
        names = [(cell.dataset, cell.model) for cell in self.cells]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice:
            raise ValueError(f"{twice[0]} · {twice[1]} appears twice in cells; keep one")
        lacking = [c for c in self.cells if self.metric != "accuracy" and c.test_metric is None]
        if lacking:
            raise ValueError(
                f"metric is {self.metric!r}, and {lacking[0].dataset} · {lacking[0].model} has "
                "no test_metric"
            )
        return self


def validate_baseline(document: Any, source: str) -> Baseline:
    """``document`` unchanged, or BaselineError naming ``source`` and each bad field."""
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise BaselineError(
            f"{source}: schema {found!r}, expected {SCHEMA!r}. Make it again with "
            "`nnbench baseline`."
        )
    validated(BaselineDocument, document, source, BaselineError)
    return document
