"""Baseline files: per (dataset, model), the across-seed statistics a check compares against.

Schema ``nnbench.baseline/1`` (declared in :mod:`nnbench.schemas.baseline`), one JSON document::

    {"schema": "nnbench.baseline/1",
     "provenance": {"created_at", "nnbench", "note", "runs": [{"path", "git_commit", ...}]},
     "metric": "accuracy",
     "cells": [{"dataset", "model", "seeds", "protocol", "env",
                "test_accuracy": STAT, "per_class": {class: STAT}, "fit_s": STAT,
                "predict_s": STAT, "peak_rss_bytes": STAT, "device_peak_bytes": STAT,
                "test_metric": STAT}]}

where STAT is ``{"mean", "sd", "n", "values"}`` over seeds (``sd`` is null for one seed),
``test_metric`` holds the test-set ``metric`` a check gates on when it is not accuracy, and the
peak memory in bytes is null where the seeds did not record it (before nnbench 0.7; a GPU's,
off a GPU).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nnbench import __version__
from nnbench.environment import now_iso
from nnbench.errors import BaselineError
from nnbench.files import atomic_write_text
from nnbench.presentation import one_line
from nnbench.result_tables import Tables
from nnbench.schemas.baseline import SCHEMA, Baseline, validate_baseline
from nnbench.scores import metric_info
from nnbench.stats import CellSummary, estimate, protocol_changes, summarise

#: the peak memory a baseline stores beside the timing: resident above the cell's start, and a
#: GPU's in use
MEMORY_KEYS = ("peak_rss_bytes", "device_peak_bytes")


def stat(values: Sequence[float]) -> dict[str, Any] | None:
    """``{"mean", "sd", "n", "values"}`` of ``values``; None when there are none."""
    found = estimate(values)
    if found is None:
        return None
    return {"mean": found.mean, "sd": found.sd, "n": found.n, "values": list(values)}


def baseline_cell(cell: CellSummary, scores: pd.DataFrame, metric: str) -> dict[str, Any]:
    """The stored statistics of one cell's seeds, all of which ran successfully; with the test
    ``metric`` from the ``scores`` table when it is not accuracy."""
    extra = {}
    if metric != "accuracy":
        rows = cell.select(scores)
        values = list(rows[(rows["split"] == "test") & (rows["metric"] == metric)]["value"])
        if len(values) < len(cell.with_status("ok")):
            raise BaselineError(
                f"{cell.dataset} · {cell.model} has no {metric} for every seed: its model gives "
                "no class probabilities, or its results predate nnbench 0.6. Leave it out of the "
                "runs, or gate on another --metric."
            )
        extra["test_metric"] = stat(values)
    return {
        "dataset": cell.dataset,
        "model": cell.model,
        "seeds": cell.seeds,
        "protocol": cell.protocol,
        "env": {
            key: value
            for key, value in cell.env().items()
            if key != "started_at" and value is not None
        },
        "test_accuracy": stat(cell.values("test")),
        "per_class": {name: stat(cell.values("test", name)) for name in cell.classes()},
        **{key: stat(cell.timings(key)) for key in ("fit_s", "predict_s", *MEMORY_KEYS)},
        **extra,
    }


def cells_by_name(cells: Sequence[CellSummary], what: str) -> dict[tuple[str, str], CellSummary]:
    """``cells`` by (dataset, model); an error naming ``what`` holds them, and the differences,
    when one pair appears under two protocols."""
    found: dict[tuple[str, str], CellSummary] = {}
    for cell in cells:
        name = (cell.dataset, cell.model)
        if name in found:
            changes = protocol_changes(found[name].protocol, cell.protocol)
            differences = "; ".join(f"{old} against {new}" for old, new in changes)
            raise BaselineError(
                f"{what} hold {cell.dataset} · {cell.model} under two protocols ({differences}). "
                "Give runs of one protocol only."
            )
        found[name] = cell
    return found


def make_baseline(tables: Tables, note: str | None = None, metric: str = "accuracy") -> Baseline:
    """A baseline from the tables of :func:`nnbench.results.load_tables` over one or more runs,
    for a check on ``metric`` (see :mod:`nnbench.scores`).

    Skipped cells are left out. A cell with a failed seed is an error: a baseline is made from
    successful runs only. The baseline is validated as ``read_baseline`` would.
    """
    metric_info(metric)
    table = tables.classes
    runs = list(dict.fromkeys(table["run"]))
    failed = table[table["status"] == "failed"]
    if len(failed):
        first = failed.iloc[0]
        raise BaselineError(
            f"{first['dataset']} · {first['model']} seed {first['seed']} failed in "
            f"{first['run']} ({one_line(first['error'])}). A baseline is made from successful "
            "runs only: rerun that cell, or leave the run out."
        )
    ran = [cell for cell in summarise(table) if len(cell.with_status("ok"))]
    if not ran:
        raise BaselineError(f"{', '.join(runs)}: no successful results to make a baseline from.")
    baseline = {
        "schema": SCHEMA,
        "provenance": {
            "created_at": now_iso(),
            "nnbench": __version__,
            "note": note,
            "runs": [
                {
                    "path": run,
                    "git_commits": sorted(set(rows["env_git_commit"].fillna("None"))),
                    "started_at": min(rows["env_started_at"].fillna("None")),
                }
                for run, rows in table.groupby("run", sort=False)
            ],
        },
        "metric": metric,
        "cells": [
            baseline_cell(cell, tables.scores, metric)
            for cell in cells_by_name(ran, "The runs").values()
        ],
    }
    validate_baseline(baseline, "The baseline made from " + ", ".join(runs))
    return baseline


def write_baseline(baseline: Baseline, path: Path) -> None:
    """Write ``baseline`` to ``path`` atomically."""
    atomic_write_text(path, json.dumps(baseline, indent=2) + "\n")


def read_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; every problem is a BaselineError naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"Baseline {path} does not exist. Make one with `nnbench baseline RUN_DIR... "
            f"--out {path}`."
        ) from None
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, bad UTF-8
        raise BaselineError(f"Baseline {path} cannot be read as JSON ({exc}).") from None
    return validate_baseline(document, f"Baseline {path}")
