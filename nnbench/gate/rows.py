"""The regression gate: a run's cells against a baseline, one row per checked metric.

Accuracy (overall, then per class) fails when the run's mean over its seeds falls below
``baseline mean - max(abs_tol, k * baseline sd)``; it is "improved" when it rises above
``baseline mean + the same margin``, which never fails. A cell of the baseline that is missing,
skipped or failed in the run fails, and so does one run under another protocol unless protocol
changes are allowed. Time and peak memory are ratios to the baseline (:mod:`nnbench.gate.cost`)
and fail only above ``max_slowdown`` and ``max_memory_growth``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from nnbench.errors import BaselineError
from nnbench.gate.baseline import cells_by_name
from nnbench.gate.cost import cost_rows
from nnbench.gate.verdicts import (
    Row,
    Tolerances,
    Verdict,
    allowed_drop,
    describe_now,
    describe_stat,
)
from nnbench.presentation import one_line, status_cell
from nnbench.result_tables import Tables
from nnbench.schemas.baseline import Baseline
from nnbench.scores import metric_info
from nnbench.stats import CellSummary, Estimate, protocol_changes, summarise

#: the tolerances of a check without flags
DEFAULT_TOLERANCES = Tolerances()


def accuracy_verdict(
    now: Estimate | None, low: float, high: float, higher_is_better: bool
) -> Verdict:
    """The mean now against the band ``[low, high]`` around the baseline's: a regression
    beyond it in the worse direction, an improvement beyond it in the better one."""
    if now is None:
        return Verdict.MISSING
    if now.mean < low if higher_is_better else now.mean > high:
        return Verdict.REGRESSION
    if now.mean > high if higher_is_better else now.mean < low:
        return Verdict.IMPROVED
    return Verdict.PASS


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
    shown, delta = "–", "–"
    if now is not None:
        change = round(now.mean - record["mean"], 4) + 0.0  # no "-0.0000"
        shown, delta = describe_now(now, ".4f"), f"{change:+.4f}"
    return Row(
        cell.dataset,
        cell.model,
        metric,
        describe_stat(record, ".4f"),
        shown,
        delta,
        f"{'≥' if higher_is_better else '≤'} {worse:.4f} ({rule})",
        accuracy_verdict(now, low, high, higher_is_better),
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


def class_rows(cell: CellSummary, record: Mapping[str, Any], tolerances: Tolerances) -> list[Row]:
    """A row for each class's test accuracy that the baseline holds."""
    per_class = cell.per_class("test")
    return [
        accuracy_row(
            cell,
            f"test accuracy, class {name}",
            class_record,
            per_class.get(name),
            tolerances.class_abs_tol,
            tolerances.k,
        )
        for name, class_record in record["per_class"].items()
        if class_record is not None
    ]


def result_row(record: Mapping[str, Any], now: str, verdict: Verdict) -> Row:
    """The failing row of a baseline cell whose run gave no result to check."""
    seeds = f"seeds {', '.join(map(str, record['seeds']))}"
    wanted = "a successful result"
    return Row(record["dataset"], record["model"], "result", seeds, now, "–", wanted, verdict)


def missing_row(record: Mapping[str, Any]) -> Row:
    """The row of a baseline cell the run lacks."""
    return result_row(record, "not in the run", Verdict.MISSING)


def unusable_row(record: Mapping[str, Any], cell: CellSummary) -> Row | None:
    """The row of a baseline cell the run failed on any seed, or skipped; None when it can be
    checked."""
    if len(cell.with_status("failed")):
        return result_row(record, status_cell(cell), Verdict.FAILED)
    if not len(cell.with_status("ok")):
        reason = one_line(cell.per_seed["skip_reason"].iloc[0])
        return result_row(record, f"skipped: {reason}", Verdict.MISSING)
    return None


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
        Verdict.CHANGED_ALLOWED if allowed else Verdict.NOT_COMPARABLE,
    )


def unbaselined_row(cell: CellSummary) -> Row:
    """The row of a cell of the run that the baseline lacks: reported, failing nothing."""
    now = status_cell(cell)
    return Row(cell.dataset, cell.model, "result", "–", now, "–", "–", Verdict.NOT_IN_BASELINE)


def cell_rows(
    record: Mapping[str, Any],
    cell: CellSummary | None,
    tolerances: Tolerances,
    scores: pd.DataFrame,
) -> list[Row]:
    """Every checked metric of one baseline cell against the run's cell of the same name: one
    failing row when there is nothing comparable to check."""
    if cell is None:
        return [missing_row(record)]
    unusable = unusable_row(record, cell)
    if unusable is not None:
        return [unusable]
    protocol = protocol_row(record, cell, tolerances.allow_protocol_change)
    if protocol is not None and protocol.failed:
        return [protocol]
    limits = {"time": tolerances.max_slowdown, "memory": tolerances.max_memory_growth}
    return [
        *([] if protocol is None else [protocol]),
        metric_row(cell, record, scores, tolerances),
        *class_rows(cell, record, tolerances),
        *cost_rows(cell, record, limits),
    ]


def check(
    baseline: Baseline, tables: Tables, tolerances: Tolerances = DEFAULT_TOLERANCES
) -> list[Row]:
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
    return rows + [unbaselined_row(cell) for cell in run_cells.values()]
