"""The regression gate: a run's cells against a baseline, one verdict per checked metric.

Accuracy (overall, then per class) fails when the run's mean over its seeds falls below
``baseline mean - max(abs_tol, k * baseline sd)``; it is "improved" when it rises above
``baseline mean + the same margin``, which never fails. A cell of the baseline that is missing,
skipped or failed in the run fails, and so does one run under another protocol unless protocol
changes are allowed. Timing is a ratio to the baseline and fails only above ``max_slowdown``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nnbench.baseline import Baseline, cells_by_name
from nnbench.presentation import (
    Table,
    describe_environment,
    environments,
    markdown_table,
    one_line,
    status_cell,
)
from nnbench.progress import counted
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
    allow_protocol_change: bool = False


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


def describe_stat(record: Mapping[str, Any], spec: str, unit: str = "") -> str:
    """A baseline statistic: ``mean (sd S, n=N)``, or ``mean (n=1)``."""
    spread = "" if record["sd"] is None else f"sd {format(record['sd'], spec)}, "
    return f"{format(record['mean'], spec)}{unit} ({spread}n={record['n']})"


def describe_now(value: Estimate, spec: str, unit: str = "") -> str:
    """The run's value, with its n when it is a mean over seeds."""
    return value.format(spec) + unit + (f" (n={value.n})" if value.n > 1 else "")


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
) -> Row:
    """Mean accuracy now against ``record``: a regression below ``mean - max(abs_tol, k*sd)``."""
    margin, rule = allowed_drop(record, abs_tol, k)
    floor = max(0.0, record["mean"] - margin)
    if now is None:
        verdict, shown, delta = "missing", "–", "–"
    else:
        change = round(now.mean - record["mean"], 4) + 0.0  # no "-0.0000"
        shown, delta = describe_now(now, ".4f"), f"{change:+.4f}"
        if now.mean < floor:
            verdict = "REGRESSION"
        elif now.mean > record["mean"] + margin:
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
        f"≥ {floor:.4f} ({rule})",
        verdict,
        verdict in ("missing", "REGRESSION"),
    )


def timing_row(
    cell: CellSummary,
    metric: str,
    record: Mapping[str, Any] | None,
    now: Estimate | None,
    max_slowdown: float | None,
) -> Row | None:
    """Time now as a ratio to the baseline; a failure only above ``max_slowdown``."""
    gated = max_slowdown is not None
    if record is None or now is None or record["mean"] <= 0:
        if not gated:
            return None
        shown = "–" if record is None else describe_stat(record, ".2f", " s")
        now_shown = "–" if now is None else describe_now(now, ".2f", " s")
        return Row(
            cell.dataset,
            cell.model,
            metric,
            shown,
            now_shown,
            "–",
            "no timing to compare",
            "info",
            False,
        )
    ratio = now.mean / record["mean"]
    slower = gated and ratio > max_slowdown
    return Row(
        cell.dataset,
        cell.model,
        metric,
        describe_stat(record, ".2f", " s"),
        describe_now(now, ".2f", " s"),
        f"×{ratio:.2f}",
        f"≤ ×{max_slowdown:g}" if gated else "not gated",
        "SLOWER" if slower else ("pass" if gated else "info"),
        slower,
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
    record: Mapping[str, Any], cell: CellSummary | None, tolerances: Tolerances
) -> list[Row]:
    """Every checked metric of one baseline cell against the run's cell of the same name."""
    unusable = unusable_rows(record, cell)
    if unusable or cell is None:
        return unusable
    protocol = protocol_row(record, cell, tolerances.allow_protocol_change)
    if protocol is not None and protocol.failed:
        return [protocol]
    rows = [] if protocol is None else [protocol]
    rows.append(
        accuracy_row(
            cell,
            "test accuracy",
            record["test_accuracy"],
            cell.accuracy("test"),
            tolerances.abs_tol,
            tolerances.k,
        )
    )
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
    for metric, key in (("fit time", "fit_s"), ("predict time", "predict_s")):
        row = timing_row(cell, metric, record.get(key), cell.timing(key), tolerances.max_slowdown)
        if row is not None:
            rows.append(row)
    return rows


def check(
    baseline: Baseline, table: pd.DataFrame, tolerances: Tolerances = Tolerances()
) -> list[Row]:
    """Rows for every baseline cell, then a row for each cell of ``table`` (the rows of
    :func:`nnbench.results.load`) that the baseline lacks."""
    run_cells = cells_by_name(summarise(table), "The run folders")
    rows = []
    for record in baseline["cells"]:
        rows += cell_rows(
            record, run_cells.pop((record["dataset"], record["model"]), None), tolerances
        )
    for (dataset, model), cell in run_cells.items():
        rows.append(
            Row(
                dataset, model, "result", "–", status_cell(cell), "–", "–", "not in baseline", False
            )
        )
    return rows


def environment_changes(baseline: Baseline, table: pd.DataFrame) -> list[str]:
    """``key before → after`` for each environment entry that differs from the baseline's."""
    before = baseline["cells"][0].get("env", {})
    after = environments(table)[0]
    return [
        f"{key} {before.get(key)} → {after.get(key)}"
        for key in ENVIRONMENT_KEYS
        if before.get(key) != after.get(key)
    ]


def render_check(
    rows: Sequence[Row],
    baseline: Baseline,
    source: str,
    table: pd.DataFrame,
    tolerances: Tolerances,
) -> str:
    """The check as Markdown: what was compared, under which rule, the table and the tally."""
    provenance = baseline.get("provenance", {})
    changes = environment_changes(baseline, table)
    timing_rule = (
        f"fit and predict time fail above ×{tolerances.max_slowdown:g} the baseline's"
        if tolerances.max_slowdown is not None
        else "fit and predict time are shown as ratios and not gated (--max-slowdown)"
    )
    lines = [
        "# nnbench check",
        f"Baseline {source}, made {provenance.get('created_at', 'at an unknown time')}"
        + (f" ({provenance['note']})" if provenance.get("note") else "")
        + f", on: {describe_environment([cell.get('env', {}) for cell in baseline['cells']])}",
        f"This run, on: {describe_environment(environments(table))}",
        "Changed since the baseline: "
        + ("; ".join(changes) if changes else "nothing recorded")
        + ".",
        f"Rule: test accuracy fails below the baseline's mean − max({tolerances.abs_tol:g}, "
        f"{tolerances.k:g}·sd), each class's below mean − max({tolerances.class_abs_tol:g}, "
        f"{tolerances.k:g}·sd); a missing or failed cell fails; a protocol change "
        + ("is allowed" if tolerances.allow_protocol_change else "is not comparable and fails")
        + f"; {timing_rule}.",
        markdown_table(
            Table(
                ["cell", "metric", "baseline", "now", "delta", "allowed", "verdict"],
                [
                    [
                        row.cell,
                        row.metric,
                        row.baseline,
                        row.now,
                        row.delta,
                        row.allowed,
                        row.verdict,
                    ]
                    for row in rows
                ],
                "lllllll",
            )
        ),
        tally(rows),
    ]
    return "\n\n".join(lines) + "\n"


def tally(rows: Sequence[Row]) -> str:
    """``N checks: a pass, b improved, ...; F failed.``"""
    counts = Counter(row.verdict for row in rows)
    failed = sum(row.failed for row in rows)
    kinds = ", ".join(f"{count} {verdict}" for verdict, count in counts.items())
    outcome = f"{failed} failed" if failed else "all passed"
    return f"{counted(len(rows), 'check')}: {kinds}; {outcome}."


def junit_xml(rows: Sequence[Row], name: str, properties: Mapping[str, str]) -> str:
    """A JUnit XML report: one test case per row, a <failure> for each failed one."""
    failures = sum(row.failed for row in rows)
    counts = {"tests": str(len(rows)), "failures": str(failures), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", name="nnbench check", **counts)
    suite = ET.SubElement(suites, "testsuite", name=name, **counts)
    listed = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        ET.SubElement(listed, "property", name=key, value=value)
    for row in rows:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"nnbench.{row.dataset}.{row.model}",
            name=row.metric,
            time="0",
        )
        if row.failed:
            failure = ET.SubElement(case, "failure", message=row.sentence(), type=row.verdict)
            failure.text = row.sentence()
        else:
            ET.SubElement(case, "system-out").text = row.sentence()
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def baseline_summary(baseline: Baseline, tolerances: Tolerances) -> str:
    """One row per baseline cell: seeds, mean and sd of test accuracy, where a check would fail
    with these tolerances, and the largest per-class sd."""
    rows = []
    for record in baseline["cells"]:
        test = record["test_accuracy"]
        margin, rule = allowed_drop(test, tolerances.abs_tol, tolerances.k)
        class_sds = [r["sd"] for r in record["per_class"].values() if r and r["sd"] is not None]
        rows.append(
            [
                f"{record['dataset']} · {record['model']}",
                ", ".join(map(str, record["seeds"])),
                f"{test['mean']:.4f}",
                "–" if test["sd"] is None else f"{test['sd']:.4f}",
                f"{test['mean'] - margin:.4f} ({rule})",
                f"{max(class_sds):.4f}" if class_sds else "–",
            ]
        )
    headers = ["cell", "seeds", "test acc", "sd", "fails below", "largest class sd"]
    return markdown_table(Table(headers, rows, "llllll")) + "\n"
