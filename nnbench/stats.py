"""Statistics over seeds: results grouped by cell, each metric as mean, sd and 95% t-interval.

Aggregation is a function over result documents; the per-seed result files stay as they are.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.special import stdtrit

from nnbench.errors import ResultFileError
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


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as ``{"a.b": leaf}``."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def protocol_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(before, after)`` descriptions, such as ``("epochs 5", "epochs 0")``, of every entry of
    two protocols that differs."""
    old, new = flatten(dict(before)), flatten(dict(after))
    absent = "(absent)"
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key, absent) != new.get(key, absent):
            name = key.removeprefix("params.")
            changes.append((f"{name} {old.get(key, absent)}", f"{name} {new.get(key, absent)}"))
    return changes


Metric = Callable[[Result], float | None]


def accuracy_of(split: str) -> Metric:
    """Overall accuracy on ``split`` ("train" or "test")."""
    return lambda result: result["metrics"][split]["accuracy"]


def class_accuracy_of(split: str, name: str) -> Metric:
    """Accuracy on the images of class ``name`` in ``split``."""
    return lambda result: result["metrics"][split]["per_class"].get(name)


def timing_of(key: str) -> Metric:
    """A timing in seconds: "fit_s" or "predict_s"."""
    return lambda result: result["timing"].get(key)


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

    def values(self, metric: Metric) -> list[float]:
        """``metric`` of each seed that ran successfully, where the seed has it."""
        found = (metric(result) for result in self.with_status("ok"))
        return [value for value in found if value is not None]

    def classes(self) -> list[str]:
        """The class names, in the order of the first successful seed's test metrics."""
        ok = self.with_status("ok")
        return list(ok[0]["metrics"]["test"]["per_class"]) if ok else []

    def accuracy(self, split: str) -> Estimate | None:
        """Overall accuracy on ``split`` over the successful seeds."""
        return estimate(self.values(accuracy_of(split)))

    def per_class(self, split: str) -> dict[str, Estimate | None]:
        """Per-class accuracy on ``split`` over the successful seeds, by class name."""
        return {
            name: estimate(self.values(class_accuracy_of(split, name))) for name in self.classes()
        }

    def timing(self, key: str) -> Estimate | None:
        """A timing in seconds ("fit_s" or "predict_s") over the successful seeds."""
        return estimate(self.values(timing_of(key)))


def protocol_key(result: Result) -> tuple[str, str, str]:
    """(dataset, model, canonical protocol): equal for seeds of one cell."""
    canonical = json.dumps(protocol(result), sort_keys=True)
    return result["dataset"], result["model"], canonical


def summarise(results: Sequence[Result]) -> list[CellSummary]:
    """Results grouped into cells that differ only by seed, in the order the cells first ran.

    A seed that appears twice in one cell (a run folder given twice, say) is an error.
    """
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        group = groups.setdefault(protocol_key(result), [])
        if any(seen["seed"] == result["seed"] for seen in group):
            raise ResultFileError(
                f"{result['dataset']} · {result['model']} seed {result['seed']} appears twice "
                "with the same protocol. Give each run folder once; runs to be pooled need "
                "different seeds."
            )
        group.append(result)
    return [CellSummary(tuple(group)) for group in groups.values()]
