"""The gate's rows, and the costs it compares as a ratio to the baseline: fit and predict time
(failing only above ``--max-slowdown``) and peak memory (only above ``--max-memory-growth``).
Without its flag a cost is shown, not gated. The accuracy rules are :mod:`nnbench.check`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nnbench.stats import CellSummary, Estimate


@dataclass(frozen=True)
class Row:
    """One checked metric of one cell: the table row and its JUnit test case."""

    dataset: str
    model: str
    metric: str
    baseline: str
    now: str
    delta: str
    allowed: str
    verdict: str
    failed: bool

    @property
    def cell(self) -> str:
        return f"{self.dataset} · {self.model}"

    def sentence(self) -> str:
        """The row in words, for messages and JUnit."""
        return (
            f"{self.cell} {self.metric}: {self.verdict}; baseline {self.baseline}, now "
            f"{self.now}, delta {self.delta}, allowed {self.allowed}."
        )


def describe_stat(record: Mapping[str, Any], spec: str, unit: str = "", scale: float = 1.0) -> str:
    """A baseline statistic, times ``scale``: ``mean (sd S, n=N)``, or ``mean (n=1)``."""
    spread = "" if record["sd"] is None else f"sd {format(record['sd'] * scale, spec)}, "
    return f"{format(record['mean'] * scale, spec)}{unit} ({spread}n={record['n']})"


def describe_now(value: Estimate, spec: str, unit: str = "", scale: float = 1.0) -> str:
    """The run's value, times ``scale``, with its n when it is a mean over seeds."""
    shown = Estimate(
        value.mean * scale,
        None if value.sd is None else value.sd * scale,
        None if value.half_width is None else value.half_width * scale,
        value.n,
    )
    return shown.format(spec) + unit + (f" (n={value.n})" if value.n > 1 else "")


@dataclass(frozen=True)
class Cost:
    """A cost a check compares as a ratio to the baseline: the ``key`` a baseline cell stores
    and the run's column of the same name, shown as ``metric`` in ``unit`` (the value times
    ``scale``). Above the limit of its ``kind`` ("time" or "memory") the verdict is ``worse``.
    A gated row without a ratio says ``absent`` when the baseline lacks the cost, ``unmatched``
    when the run does (or the baseline's is 0); an ``optional`` cost (a GPU's memory) has no
    row when neither has it."""

    metric: str
    key: str
    kind: str
    unit: str
    spec: str
    worse: str
    absent: str
    unmatched: str
    scale: float = 1.0
    optional: bool = False


TIME_FIELDS: dict[str, Any] = {
    "kind": "time",
    "unit": " s",
    "spec": ".2f",
    "worse": "SLOWER",
    "absent": "no timing to compare",
    "unmatched": "no timing to compare",
}
MEMORY_FIELDS: dict[str, Any] = {
    "kind": "memory",
    "unit": " MB",
    "spec": ".1f",
    "worse": "GREW",
    "absent": "no memory in baseline",
    "unmatched": "no memory to compare",
    "scale": 1e-6,
}
#: the costs a check compares, in the order of its rows
COSTS = (
    Cost("fit time", "fit_s", **TIME_FIELDS),
    Cost("predict time", "predict_s", **TIME_FIELDS),
    Cost("peak memory", "peak_rss_bytes", **MEMORY_FIELDS),
    Cost("device peak memory", "device_peak_bytes", optional=True, **MEMORY_FIELDS),
)


def cost_row(
    cell: CellSummary, cost: Cost, record: Mapping[str, Any] | None, limit: float | None
) -> Row | None:
    """The cost now as a ratio to ``record``, the baseline's; a failure only above ``limit``.
    Without numbers on both sides, an "info" row when gated, else none."""
    now = cell.timing(cost.key)
    gated = limit is not None
    shown = "–" if record is None else describe_stat(record, cost.spec, cost.unit, cost.scale)
    now_shown = "–" if now is None else describe_now(now, cost.spec, cost.unit, cost.scale)
    if record is None or now is None or record["mean"] <= 0:
        if not gated or (cost.optional and record is None and now is None):
            return None
        allowed = cost.absent if record is None else cost.unmatched
        return Row(
            cell.dataset, cell.model, cost.metric, shown, now_shown, "–", allowed, "info", False
        )
    ratio = now.mean / record["mean"]
    worse = gated and ratio > limit
    return Row(
        cell.dataset,
        cell.model,
        cost.metric,
        shown,
        now_shown,
        f"×{ratio:.2f}",
        f"≤ ×{limit:g}" if gated else "not gated",
        cost.worse if worse else ("pass" if gated else "info"),
        worse,
    )


def cost_rows(
    cell: CellSummary, record: Mapping[str, Any], limits: Mapping[str, float | None]
) -> list[Row]:
    """The rows of every cost of a cell against its baseline ``record``, each gated by the
    limit of its kind in ``limits`` (None: not gated)."""
    rows = [cost_row(cell, cost, record.get(cost.key), limits[cost.kind]) for cost in COSTS]
    return [row for row in rows if row is not None]
