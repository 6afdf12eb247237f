"""Statistics over seeds: results grouped by cell, each metric as mean, sd and 95% t-interval.

Aggregation is a function over result documents; the per-seed result files stay as they are.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.special import stdtrit

from nnbench.results import Result

#: two-sided confidence of the interval shown as "mean ± half-width"
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A metric over ``n`` seeds: mean, sample standard deviation and the half-width of the
    95% t-interval of the mean (both None for a single seed)."""

    mean: float
    sd: float | None
    half_width: float | None
    n: int

    def format(self, spec: str) -> str:
        """``mean ± half-width`` with ``spec``, or the mean alone for one seed."""
        if self.half_width is None:
            return format(self.mean, spec)
        return f"{format(self.mean, spec)} ± {format(self.half_width, spec)}"


def estimate(values: Sequence[float | None]) -> Estimate | None:
    """The estimate of the values that are present; None when none is."""
    present = [float(value) for value in values if value is not None]
    if not present:
        return None
    n = len(present)
    mean = math.fsum(present) / n
    if n < 2:
        return Estimate(mean, None, None, n)
    sd = statistics.stdev(present)
    half_width = float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2)) * sd / math.sqrt(n)
    return Estimate(mean, sd, half_width, n)


def protocol(result: Result) -> dict[str, Any]:
    """What must match for two results to be seeds of one cell: the parameters in use, the
    subset, and the data's sizes and classes where the result records them."""
    data = result.get("data", {})
    described = {
        "params": result["params"],
        **{
            key: data[key]
            for key in ("subset", "n_train", "n_test", "input_shape", "classes")
            if key in data
        },
    }
    return json.loads(json.dumps(described, default=str))  # as stored: tuples become lists


@dataclass(frozen=True)
class CellSummary:
    """Every seed of one (dataset, model, protocol), in the order they ran."""

    results: tuple[Result, ...]

    @property
    def dataset(self) -> str:
        return self.results[0]["dataset"]

    @property
    def model(self) -> str:
        return self.results[0]["model"]

    @property
    def seeds(self) -> list[int]:
        return [result["seed"] for result in self.results]

    def with_status(self, status: str) -> list[Result]:
        """The seeds' results that have ``status`` ("ok", "failed" or "skipped")."""
        return [result for result in self.results if result["status"] == status]

    def over_ok_seeds(self, value: Callable[[Result], float | None]) -> Estimate | None:
        """The estimate of ``value`` over the seeds that ran successfully."""
        return estimate([value(result) for result in self.with_status("ok")])

    def accuracy(self, split: str) -> Estimate | None:
        """Overall accuracy on ``split`` ("train" or "test")."""
        return self.over_ok_seeds(lambda result: result["metrics"][split]["accuracy"])

    def per_class(self, split: str) -> dict[str, Estimate | None]:
        """Per-class accuracy on ``split``, by class name."""
        ok = self.with_status("ok")
        classes = list(ok[0]["metrics"][split]["per_class"]) if ok else []
        return {
            name: estimate([result["metrics"][split]["per_class"].get(name) for result in ok])
            for name in classes
        }

    def timing(self, key: str) -> Estimate | None:
        """A timing in seconds: "fit_s" or "predict_s"."""
        return self.over_ok_seeds(lambda result: result["timing"].get(key))


def protocol_key(result: Result) -> tuple[str, str, str]:
    """(dataset, model, canonical protocol): equal for seeds of one cell."""
    canonical = json.dumps(protocol(result), sort_keys=True)
    return result["dataset"], result["model"], canonical


def summarise(results: Sequence[Result]) -> list[CellSummary]:
    """Results grouped into cells that differ only by seed, in the order the cells first ran."""
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        groups.setdefault(protocol_key(result), []).append(result)
    return [CellSummary(tuple(group)) for group in groups.values()]
