"""The costs the gate compares as a ratio to the baseline: fit and predict time (failing only
above ``--max-slowdown``) and peak memory (only above ``--max-memory-growth``). Without its flag
a cost is shown, not gated. The accuracy rules are :mod:`nnbench.gate.rows`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nnbench.gate.verdicts import Row, Verdict, describe_now, describe_stat
from nnbench.stats import CellSummary


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
    worse: Verdict
    absent: str
    unmatched: str
    scale: float = 1.0
    optional: bool = False


TIME_FIELDS: dict[str, Any] = {
    "kind": "time",
    "unit": " s",
    "spec": ".2f",
    "worse": Verdict.SLOWER,
    "absent": "no timing to compare",
    "unmatched": "no timing to compare",
}
MEMORY_FIELDS: dict[str, Any] = {
    "kind": "memory",
    "unit": " MB",
    "spec": ".1f",
    "worse": Verdict.GREW,
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
            cell.dataset, cell.model, cost.metric, shown, now_shown, "–", allowed, Verdict.INFO
        )
    ratio = now.mean / record["mean"]
    return Row(
        cell.dataset,
        cell.model,
        cost.metric,
        shown,
        now_shown,
        f"×{ratio:.2f}",
        f"≤ ×{limit:g}" if gated else "not gated",
        cost_verdict(cost, ratio, limit),
    )


def cost_verdict(cost: Cost, ratio: float, limit: float | None) -> Verdict:
    """A cost's ratio to the baseline against its ``limit``: worse above it, else a pass; only
    shown without one."""
    if limit is None:
        return Verdict.INFO
    return cost.worse if ratio > limit else Verdict.PASS


def cost_rows(
    cell: CellSummary, record: Mapping[str, Any], limits: Mapping[str, float | None]
) -> list[Row]:
    """The rows of every cost of a cell against its baseline ``record``, each gated by the
    limit of its kind in ``limits`` (None: not gated)."""
    rows = [cost_row(cell, cost, record.get(cost.key), limits[cost.kind]) for cost in COSTS]
    return [row for row in rows if row is not None]
