"""The gate's verdicts as data: the words a row can end in and which of them fail, the row of
one checked metric, the tolerances a check applies, and the numbers a row shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from nnbench.stats import Estimate


class Verdict(str, Enum):
    """How one checked metric of a cell came out, as the table and JUnit word it."""

    PASS = "pass"
    IMPROVED = "improved"
    #: shown, not gated: a cost without its flag, or without numbers to compare
    INFO = "info"
    CHANGED_ALLOWED = "changed (allowed)"
    NOT_IN_BASELINE = "not in baseline"
    REGRESSION = "REGRESSION"
    #: a baseline cell the run lacks or skipped, or a metric it has no value of
    MISSING = "missing"
    FAILED = "FAILED"
    NOT_COMPARABLE = "not comparable"
    SLOWER = "SLOWER"
    GREW = "GREW"

    def __str__(self) -> str:
        return self.value

    @property
    def failed(self) -> bool:
        """Whether this verdict fails the check."""
        return self in FAILING


#: the verdicts that fail a check (exit 1)
FAILING = frozenset(
    {
        Verdict.REGRESSION,
        Verdict.MISSING,
        Verdict.FAILED,
        Verdict.NOT_COMPARABLE,
        Verdict.SLOWER,
        Verdict.GREW,
    }
)


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
    verdict: Verdict

    @property
    def failed(self) -> bool:
        return self.verdict.failed

    @property
    def cell(self) -> str:
        return f"{self.dataset} · {self.model}"

    def sentence(self) -> str:
        """The row in words, for messages and JUnit."""
        return (
            f"{self.cell} {self.metric}: {self.verdict}; baseline {self.baseline}, now "
            f"{self.now}, delta {self.delta}, allowed {self.allowed}."
        )


@dataclass(frozen=True)
class Tolerances:
    """How far below its baseline a metric may fall, and what else fails a check."""

    abs_tol: float = 0.005
    class_abs_tol: float = 0.02
    k: float = 3.0
    max_slowdown: float | None = None
    #: fail a cell whose peak memory is above this many times the baseline's (None: not gated)
    max_memory_growth: float | None = None
    allow_protocol_change: bool = False
    #: the test metric gated on (see :mod:`nnbench.scores`); the baseline must hold it
    metric: str = "accuracy"


def allowed_drop(record: Mapping[str, Any], abs_tol: float, k: float) -> tuple[float, str]:
    """``max(abs_tol, k * sd)`` for a baseline statistic, and which of the two it is."""
    spread = k * (record["sd"] or 0.0)
    return (spread, f"{k:g}·sd") if spread > abs_tol else (abs_tol, f"tol {abs_tol:g}")


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
