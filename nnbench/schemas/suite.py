"""The suite file's outline: a ``[suite]`` header and ``[datasets.NAME.MODEL]`` tables. Unknown
keys are refused with "Did you mean"; the tables' parameters are checked against each model's
declaration when the cells are planned (:mod:`nnbench.models.params`)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from nnbench.schemas import StrictModel


class SuiteHeader(StrictModel):
    """``[suite]``: its name, a description, and the datasets ``nnbench all`` runs."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1)
    description: str = ""
    all: list[str] | None = None


class SuiteDocument(StrictModel):
    """A whole suite file."""

    model_config = ConfigDict(extra="forbid")

    suite: SuiteHeader = SuiteHeader()
    datasets: dict[str, dict[str, Any]] = Field(min_length=1)
