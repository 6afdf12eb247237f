"""Baseline files: per (dataset, model), the across-seed statistics a check compares against.

Schema ``nnbench.baseline/1``, one JSON document::

    {"schema": "nnbench.baseline/1",
     "provenance": {"created_at", "nnbench", "note", "runs": [{"path", "git_commit", ...}]},
     "cells": [{"dataset", "model", "seeds", "protocol", "env",
                "test_accuracy": STAT, "per_class": {class: STAT}, "fit_s": STAT,
                "predict_s": STAT}]}

where STAT is ``{"mean", "sd", "n", "values"}`` over seeds (``sd`` is null for one seed).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nnbench import __version__
from nnbench.environment import now_iso
from nnbench.errors import BaselineError
from nnbench.files import atomic_write_text
from nnbench.results import Result
from nnbench.stats import CellSummary, estimate, protocol, summarise

SCHEMA = "nnbench.baseline/1"
Baseline = dict[str, Any]


def stat(values: Sequence[float | None]) -> dict[str, Any] | None:
    """``{"mean", "sd", "n", "values"}`` of the values present; None when none is."""
    found = estimate(values)
    if found is None:
        return None
    return {
        "mean": found.mean,
        "sd": found.sd,
        "n": found.n,
        "values": [value for value in values if value is not None],
    }


def baseline_cell(cell: CellSummary) -> dict[str, Any]:
    """The stored statistics of one cell's seeds, all of which ran successfully."""
    ok = cell.with_status("ok")
    classes = list(ok[0]["metrics"]["test"]["per_class"])
    env = {key: value for key, value in ok[0]["env"].items() if key != "started_at"}
    return {
        "dataset": cell.dataset,
        "model": cell.model,
        "seeds": cell.seeds,
        "protocol": protocol(ok[0]),
        "env": env,
        "test_accuracy": stat([result["metrics"]["test"]["accuracy"] for result in ok]),
        "per_class": {
            name: stat([result["metrics"]["test"]["per_class"].get(name) for result in ok])
            for name in classes
        },
        "fit_s": stat([result["timing"].get("fit_s") for result in ok]),
        "predict_s": stat([result["timing"].get("predict_s") for result in ok]),
    }


def cells_by_name(cells: Sequence[CellSummary], what: str) -> dict[tuple[str, str], CellSummary]:
    """``cells`` by (dataset, model); one protocol and distinct seeds per pair, or an error
    naming ``what`` holds them."""
    found: dict[tuple[str, str], CellSummary] = {}
    for cell in cells:
        name = (cell.dataset, cell.model)
        if name in found:
            raise BaselineError(
                f"{what} hold {cell.dataset} · {cell.model} under two protocols (parameters, "
                "subset or data sizes differ). Give runs of one protocol only."
            )
        if len(set(cell.seeds)) < len(cell.seeds):
            raise BaselineError(
                f"{what} hold {cell.dataset} · {cell.model} more than once for one seed "
                f"(seeds {', '.join(map(str, cell.seeds))}). Give each run folder once, and "
                "runs of different seeds."
            )
        found[name] = cell
    return found


def make_baseline(runs: Mapping[str, Sequence[Result]], note: str | None = None) -> Baseline:
    """A baseline from the results of one or more runs, keyed by the runs' folder names.

    Skipped cells are left out. A cell with a failed seed is an error: a baseline is made from
    successful runs only.
    """
    results = [result for run in runs.values() for result in run]
    for path, run in runs.items():
        for result in run:
            if result["status"] == "failed":
                raise BaselineError(
                    f"{result['dataset']} · {result['model']} seed {result['seed']} failed in "
                    f"{path} ({result['error']}). A baseline is made from successful runs only: "
                    "rerun that cell, or leave the run out."
                )
    ran = [cell for cell in summarise(results) if cell.with_status("ok")]
    if not ran:
        raise BaselineError(f"{', '.join(runs)}: no successful results to make a baseline from.")
    cells = cells_by_name(ran, "The runs")
    return {
        "schema": SCHEMA,
        "provenance": {
            "created_at": now_iso(),
            "nnbench": __version__,
            "note": note,
            "runs": [
                {
                    "path": path,
                    "git_commits": sorted({str(r["env"].get("git_commit")) for r in run}),
                    "started_at": min(str(r["env"].get("started_at")) for r in run),
                }
                for path, run in runs.items()
            ],
        },
        "cells": [baseline_cell(cell) for cell in cells.values()],
    }


def write_baseline(baseline: Baseline, path: Path) -> None:
    """Write ``baseline`` to ``path`` atomically."""
    atomic_write_text(path, json.dumps(baseline, indent=2) + "\n")


def is_stat(record: Any, low: float = 0.0, high: float = math.inf) -> bool:
    """Whether ``record`` is a STAT whose mean lies in [low, high]."""
    if not isinstance(record, dict) or not {"mean", "sd", "n"} <= set(record):
        return False
    mean, sd, n = record["mean"], record["sd"], record["n"]
    numbers = isinstance(mean, (int, float)) and isinstance(n, int) and n >= 1
    return (
        numbers
        and low <= mean <= high
        and (sd is None or (isinstance(sd, (int, float)) and 0 <= sd < math.inf))
    )


def validate_cell(cell: Any, where: str) -> None:
    """Raise BaselineError unless ``cell`` is a well-formed baseline cell."""
    if not isinstance(cell, dict):
        raise BaselineError(f"{where}: not a JSON object.")
    missing = [
        key
        for key in ("dataset", "model", "seeds", "protocol", "test_accuracy", "per_class")
        if key not in cell
    ]
    if missing:
        raise BaselineError(f"{where}: missing keys {', '.join(missing)}.")
    if not is_stat(cell["test_accuracy"], 0.0, 1.0):
        raise BaselineError(f"{where}: test_accuracy needs mean in [0, 1], sd >= 0 or null, n.")
    per_class = cell["per_class"]
    if not isinstance(per_class, dict) or not all(
        record is None or is_stat(record, 0.0, 1.0) for record in per_class.values()
    ):
        raise BaselineError(f"{where}: per_class must map class names to accuracy statistics.")
    for key in ("fit_s", "predict_s"):
        if cell.get(key) is not None and not is_stat(cell[key]):
            raise BaselineError(f"{where}: {key} must be a timing statistic or null.")
    if not isinstance(cell["protocol"], dict):
        raise BaselineError(f"{where}: protocol must be a JSON object.")


def read_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; every problem is a BaselineError naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"Baseline {path} does not exist. Make one with `nnbench baseline RUN_DIR... "
            f"--out {path}`."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"Baseline {path} cannot be read as JSON ({exc}).") from exc
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise BaselineError(
            f"Baseline {path}: schema {found!r}, expected {SCHEMA!r}. Make it again with "
            "`nnbench baseline`."
        )
    cells = document.get("cells")
    if not isinstance(cells, list) or not cells:
        raise BaselineError(f"Baseline {path}: 'cells' must be a non-empty list.")
    for index, cell in enumerate(cells):
        validate_cell(cell, f"Baseline {path}, cells[{index}]")
    names = [(cell["dataset"], cell["model"]) for cell in cells]
    if len(set(names)) < len(names):
        raise BaselineError(f"Baseline {path}: a (dataset, model) appears twice in 'cells'.")
    return document
