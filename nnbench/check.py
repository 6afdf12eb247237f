"""The regression gate: a run's cells against a baseline, one verdict per checked metric.

Accuracy (overall, then per class) fails when the run's mean over its seeds falls below
``baseline mean - max(abs_tol, k * baseline sd)``; it is "improved" when it rises above
``baseline mean + the same margin``, which never fails. A cell of the baseline that is missing,
skipped or failed in the run fails, and so does one run under another protocol unless protocol
changes are allowed. Time and peak memory are ratios to the baseline (:mod:`nnbench.check_cost`)
and fail only above ``max_slowdown`` and ``max_memory_growth``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nnbench.baseline import Baseline, cells_by_name
from nnbench.check_cost import Row, cost_rows, describe_now, describe_stat
from nnbench.errors import BaselineError
from nnbench.presentation import (
    one_line,
    status_cell,
)
from nnbench.result_tables import Tables
from nnbench.scores import metric_info
from nnbench.stats import CellSummary, Estimate, protocol_changes, summarise

#: environment keys whose change a check reports
ENVIRONMENT_KEYS = (
    "python",
    "numpy",
    "sklearn",
    "tensorflow",
    "keras",
    "keras_backend",
    "device",
    "cpu",
    "cores",
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


def accuracy_row(
    cell: CellSummary,
    metric: str,
    record: Mapping[str, Any],
    now: Estimate | None,
    abs_tol: float,
    k: float,
    higher_is_better: bool = True,
) -> Row:
    """The mean of a metric now against ``record``: a regression beyond ``mean ∓
    max(abs_tol, k*sd)`` in the worse direction (below for accuracy, above for a loss)."""
    margin, rule = allowed_drop(record, abs_tol, k)
    low, high = max(0.0, record["mean"] - margin), record["mean"] + margin
    worse = low if higher_is_better else high
    if now is None:
        verdict, shown, delta = "missing", "–", "–"
    else:
        change = round(now.mean - record["mean"], 4) + 0.0  # no "-0.0000"
        shown, delta = describe_now(now, ".4f"), f"{change:+.4f}"
        if now.mean < low if higher_is_better else now.mean > high:
            verdict = "REGRESSION"
        elif now.mean > high if higher_is_better else now.mean < low:
            verdict = "improved"
        else:
            verdict = "pass"
    return Row(
        cell.dataset,
        cell.model,
        metric,
        describe_stat(record, ".4f"),
        shown,
        delta,
        f"{'≥' if higher_is_better else '≤'} {worse:.4f} ({rule})",
        verdict,
        verdict in ("missing", "REGRESSION"),
    )


def metric_row(
    cell: CellSummary, record: Mapping[str, Any], scores: pd.DataFrame, tolerances: Tolerances
) -> Row:
    """The gated test metric's row: accuracy, or the baseline's ``test_metric``."""
    if tolerances.metric == "accuracy":
        now, stored = cell.accuracy("test"), record["test_accuracy"]
    else:
        now, stored = cell.score(scores, tolerances.metric), record["test_metric"]
    info = metric_info(tolerances.metric)
    return accuracy_row(
        cell,
        f"test {info.label}",
        stored,
        now,
        tolerances.abs_tol,
        tolerances.k,
        info.higher_is_better,
    )


def unusable_rows(record: Mapping[str, Any], cell: CellSummary | None) -> list[Row]:
    """The failing row of a baseline cell that the run lacks, skipped, or failed on any seed;
    none when the run's cell can be checked."""
    if cell is None:
        verdict, now = "missing", "not in the run"
    elif len(cell.with_status("failed")):
        verdict, now = "FAILED", status_cell(cell)
    elif not len(cell.with_status("ok")):
        verdict, now = "missing", f"skipped: {one_line(cell.per_seed['skip_reason'].iloc[0])}"
    else:
        return []
    seeds = f"seeds {', '.join(map(str, record['seeds']))}"
    wanted = "a successful result"
    return [
        Row(record["dataset"], record["model"], "result", seeds, now, "–", wanted, verdict, True)
    ]


def protocol_row(record: Mapping[str, Any], cell: CellSummary, allowed: bool) -> Row | None:
    """The row of a cell run under another protocol than the baseline's (None when it is the
    same): it fails unless protocol changes are ``allowed``."""
    changes = protocol_changes(record["protocol"], cell.protocol)
    if not changes:
        return None
    return Row(
        record["dataset"],
        record["model"],
        "protocol",
        "; ".join(old for old, _ in changes),
        "; ".join(new for _, new in changes),
        "–",
        "changes allowed" if allowed else "the same protocol",
        "changed (allowed)" if allowed else "not comparable",
        not allowed,
    )


def cell_rows(
    record: Mapping[str, Any],
    cell: CellSummary | None,
    tolerances: Tolerances,
    scores: pd.DataFrame,
) -> list[Row]:
    """Every checked metric of one baseline cell against the run's cell of the same name."""
    unusable = unusable_rows(record, cell)
    if unusable or cell is None:
        return unusable
    protocol = protocol_row(record, cell, tolerances.allow_protocol_change)
    if protocol is not None and protocol.failed:
        return [protocol]
    rows = [] if protocol is None else [protocol]
    rows.append(metric_row(cell, record, scores, tolerances))
    per_class = cell.per_class("test")
    for name, class_record in record["per_class"].items():
        if class_record is not None:
            rows.append(
                accuracy_row(
                    cell,
                    f"test accuracy, class {name}",
                    class_record,
                    per_class.get(name),
                    tolerances.class_abs_tol,
                    tolerances.k,
                )
            )
    limits = {"time": tolerances.max_slowdown, "memory": tolerances.max_memory_growth}
    return rows + cost_rows(cell, record, limits)


def check(baseline: Baseline, tables: Tables, tolerances: Tolerances = Tolerances()) -> list[Row]:
    """Rows for every baseline cell, then a row for each cell of ``tables`` (those of
    :func:`nnbench.results.load_tables`) that the baseline lacks. The baseline must have been
    made for the metric gated on (BaselineError otherwise)."""
    made_for = baseline.get("metric", "accuracy")
    if made_for != tolerances.metric:
        raise BaselineError(
            f"The baseline holds the test {made_for}, and the check gates on "
            f"{tolerances.metric}: check with --metric {made_for}, or make a baseline with "
            f"`nnbench baseline RUN_DIR... --metric {tolerances.metric}`."
        )
    run_cells = cells_by_name(summarise(tables.classes), "The run folders")
    rows = []
    for record in baseline["cells"]:
        cell = run_cells.pop((record["dataset"], record["model"]), None)
        rows += cell_rows(record, cell, tolerances, tables.scores)
    for (dataset, model), cell in run_cells.items():
        rows.append(
            Row(
                dataset, model, "result", "–", status_cell(cell), "–", "–", "not in baseline", False
            )
        )
    return rows
