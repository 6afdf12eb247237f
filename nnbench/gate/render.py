"""The gate's rendering: a check as Markdown or JUnit XML, and a baseline's summary. The
verdicts themselves are :mod:`nnbench.gate.rows`'s."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from nnbench.environment import ENVIRONMENT_KEYS
from nnbench.gate.verdicts import Row, Tolerances, allowed_drop
from nnbench.presentation import Table, describe_environment, environments, markdown_table
from nnbench.progress import counted
from nnbench.schemas.baseline import Baseline
from nnbench.scores import metric_info


def environment_changes(baseline: Baseline, table: pd.DataFrame) -> list[str]:
    """``key before → after`` for each environment entry a check compares that differs from
    the baseline's."""
    before = baseline["cells"][0].get("env", {})
    after = environments(table)[0]
    return [
        f"{entry.key} {before.get(entry.key)} → {after.get(entry.key)}"
        for entry in ENVIRONMENT_KEYS
        if entry.compared and before.get(entry.key) != after.get(entry.key)
    ]


def metric_rule(tolerances: Tolerances) -> str:
    """How the gated test metric fails, in words."""
    info = metric_info(tolerances.metric)
    side = "below the baseline's mean −" if info.higher_is_better else "above the baseline's mean +"
    return f"test {info.label} fails {side} max({tolerances.abs_tol:g}, {tolerances.k:g}·sd)"


def ratio_rule(what: str, limit: float | None, flag: str) -> str:
    """How a cost compared as a ratio to the baseline fails, in words, or that it is not gated
    without ``flag``."""
    if limit is None:
        return f"{what} is shown as a ratio to the baseline's and not gated ({flag})"
    return f"{what} fails above ×{limit:g} the baseline's"


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
    timing_rule = ratio_rule("fit or predict time", tolerances.max_slowdown, "--max-slowdown")
    memory_rule = ratio_rule("peak memory", tolerances.max_memory_growth, "--max-memory-growth")
    lines = [
        "# nnbench check",
        f"Baseline {source}, made {provenance.get('created_at', 'at an unknown time')}"
        + (f" ({provenance['note']})" if provenance.get("note") else "")
        + f", on: {describe_environment([cell.get('env', {}) for cell in baseline['cells']])}",
        f"This run, on: {describe_environment(environments(table))}",
        "Changed since the baseline: "
        + ("; ".join(changes) if changes else "nothing recorded")
        + ".",
        f"Rule: {metric_rule(tolerances)}, each class's accuracy below mean − "
        f"max({tolerances.class_abs_tol:g}, "
        f"{tolerances.k:g}·sd); a missing or failed cell fails; a protocol change "
        + ("is allowed" if tolerances.allow_protocol_change else "is not comparable and fails")
        + f"; {timing_rule}; {memory_rule}.",
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
    suites = ET.Element("testsuites", {"name": "nnbench check", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": name, **counts})
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
            failure = ET.SubElement(case, "failure", message=row.sentence(), type=row.verdict.value)
            failure.text = row.sentence()
        else:
            ET.SubElement(case, "system-out").text = row.sentence()
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def baseline_summary(baseline: Baseline, tolerances: Tolerances) -> str:
    """One row per baseline cell: seeds, mean and sd of the test metric it holds, where a check
    would fail with these tolerances, and the largest per-class sd."""
    info = metric_info(baseline.get("metric", "accuracy"))
    key = "test_accuracy" if info.name == "accuracy" else "test_metric"
    sign = 1 if info.higher_is_better else -1
    rows = []
    for record in baseline["cells"]:
        test = record[key]
        margin, rule = allowed_drop(test, tolerances.abs_tol, tolerances.k)
        class_sds = [r["sd"] for r in record["per_class"].values() if r and r["sd"] is not None]
        rows.append(
            [
                f"{record['dataset']} · {record['model']}",
                ", ".join(map(str, record["seeds"])),
                f"{test['mean']:.4f}",
                "–" if test["sd"] is None else f"{test['sd']:.4f}",
                f"{test['mean'] - sign * margin:.4f} ({rule})",
                f"{max(class_sds):.4f}" if class_sds else "–",
            ]
        )
    fails = "fails below" if info.higher_is_better else "fails above"
    headers = ["cell", "seeds", f"test {info.label}", "sd", fails, "largest class sd"]
    return markdown_table(Table(headers, rows, "llllll")) + "\n"
