"""The README's result tables and Speed table, checked against the committed files they cite."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURE = "results/reports/lecture-mnist"
VS_PLAIN = "results/perf/vs_plain.json"
EXECUTORS = "results/perf/executors.json"
COMPARISON = "| model       |   test acc |"
COST = "| model       | train s | peak MB |"
SPEED = "| model (MNIST) | plain fit s |"
EXECUTOR_TABLE = "| cells | serial |"
SPEED_MODELS = {
    "naive Bayes": "naive_bayes",
    "LASSO (saga, 30 passes / FISTA)": "lasso_logit",
    "dense net, 5 epochs": "dense_nn",
    "CNN, 5 epochs": "cnn",
}
EXECUTOR_ROWS = {"12-cell grid": "grid_12", "200 tiny cells": "tiny_200"}
EXECUTOR_COLUMNS = {
    "serial": "serial",
    "`--jobs 2`": "--jobs 2",
    "`dask-local --workers 2`": "dask-local --workers 2",
}

Rows = list[dict[str, str]]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table(text: str, header: str, cites: str) -> Rows:
    """The Markdown table whose header row starts with `header`; the 12 lines above name `cites`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    assert cites in "\n".join(lines[max(0, start - 12) : start]), f"no {cites} beside {header!r}"
    head = _cells(lines[start])
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(head, _cells(line), strict=True)))
    return rows


def shown(value: float, text: str, scale: float = 1.0) -> None:
    """`text` (such as '1,768', '841.5', '2.09×' or '126.6 kB') is `value * scale` at its rounding."""
    number = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    assert number, f"no number in {text!r}"
    printed = number.group().replace(",", "")
    decimals = len(printed.partition(".")[2])
    assert f"{value * scale:.{decimals}f}" == printed, f"{text!r} is not {value * scale}"


def report_csv() -> dict[tuple[str, str, str], float]:
    """(model, metric, split) -> value for the lecture run's class-'All' and cost rows."""
    with (ROOT / LECTURE / "report.csv").open(newline="") as handle:
        return {
            (row["model"], row["metric"], row["split"]): float(row["mean"])
            for row in csv.DictReader(handle)
            if row["class"] in ("All", "")
        }


def check_comparison(readme: str) -> None:
    rows = table(readme, COMPARISON, LECTURE)
    report = {
        row["model"]: row
        for row in table((ROOT / LECTURE / "report.md").read_text(), COMPARISON, "")
    }
    values = report_csv()
    assert [row["model"] for row in rows] == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    for row in rows:
        model = row["model"]
        assert {k: v for k, v in report[model].items() if k in row} == row
        shown(values[model, "accuracy", "test"], row["test acc"])
        shown(values[model, "accuracy", "train"], row["train acc"])
        shown(values[model, "fit_s", ""], row["fit s"])
        shown(values[model, "predict_s", ""], row["predict s"])


def check_cost(readme: str) -> None:
    values = report_csv()
    rows = table(readme, COST, '"Cost" table')
    assert len(rows) == 4
    for row in rows:
        model = row["model"]
        shown(values[model, "train_s", ""], row["train s"])
        shown(values[model, "peak_rss_bytes", ""], row["peak MB"], 1e-6)
        shown(values[model, "latency_p50_s", ""], row["p50 ms"], 1e3)
        shown(values[model, "latency_p95_s", ""], row["p95 ms"], 1e3)
        shown(values[model, "throughput_per_s", ""], row["images/s"])
        size = row["size on disk"]
        shown(values[model, "saved_bytes", ""], size, 1e-3 if size.endswith(" kB") else 1e-6)


def check_speed(readme: str) -> None:
    rows = table(readme, SPEED, VS_PLAIN)
    measured = {row["model"]: row for row in json.loads((ROOT / VS_PLAIN).read_text())["rows"]}
    assert sorted(SPEED_MODELS[row["model (MNIST)"]] for row in rows) == sorted(measured)
    for row in rows:
        run = measured[SPEED_MODELS[row["model (MNIST)"]]]
        shown(run["plain"]["fit_s"], row["plain fit s"])
        shown(run["nnbench"]["fit_s"], row["nnbench fit s"])
        shown(run["fit_speedup"], row["fit speed-up"])
        shown(run["total_speedup"], row["whole speed-up"])
        plain, nnbench = row["test acc, plain / nnbench"].split(" / ")
        shown(run["plain"]["test_accuracy"], plain)
        shown(run["nnbench"]["test_accuracy"], nnbench)


def check_executors(readme: str) -> None:
    runs = json.loads((ROOT / EXECUTORS).read_text())["runs"]
    rows = table(readme, EXECUTOR_TABLE, EXECUTORS)
    for row in rows:
        label = row["cells"]
        kind = next((key for part, key in EXECUTOR_ROWS.items() if part in label), "tiny_200")
        for column, executor in EXECUTOR_COLUMNS.items():
            run, text = runs[kind][executor], row[column]
            if label.startswith("start-up"):
                shown(run["first_result_s"], text)
            elif label.startswith("steady"):
                shown(run["steady_per_cell_s"], text, 1e3)
            else:
                wall, _, ratio = text.partition(" (")
                shown(run["wall_s"], wall)
                if ratio:
                    shown(run["speed_up"], ratio)


CHECKS: dict[str, tuple[Callable[[str], None], str]] = {
    "comparison": (check_comparison, "| lasso_logit |     0.9235 |"),
    "cost": (check_cost, "|    1.65 |   723.6 |"),
    "speed": (check_speed, "| 91.5 | 12.5 | 7.30× |"),
    "executors": (check_executors, "| 454.8 s |"),
}


@pytest.mark.parametrize("name", CHECKS)
def test_readme_table_matches_its_file(name: str) -> None:
    check, _ = CHECKS[name]
    check((ROOT / "README.md").read_text())


@pytest.mark.parametrize("name", CHECKS)
def test_a_changed_figure_fails(name: str) -> None:
    check, cell = CHECKS[name]
    readme = (ROOT / "README.md").read_text()
    assert cell in readme
    changed = re.sub(r"(\d)(\D*)$", lambda m: str((int(m[1]) + 1) % 10) + m[2], cell)
    with pytest.raises(AssertionError):
        check(readme.replace(cell, changed))
