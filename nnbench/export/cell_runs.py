"""What an MLflow run holds for each result of a run folder (its params, metrics, per-epoch
steps, tags and artifacts), and for the folder itself (its reports), as plain values:
:mod:`nnbench.export.to_mlflow` sends them. Nothing here imports MLflow."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from nnbench.files import sha256_file, unique_slug
from nnbench.report.render import FORMATS, PLOTS_FOLDER
from nnbench.result_tables import ALL, COST_COLUMNS, TIMING_KEYS, Tables, tables
from nnbench.results import read_run, result_file_name
from nnbench.schemas.result import EPOCH_FIELDS
from nnbench.schemas.result_types import ResultDoc
from nnbench.stats import flatten

#: MLflow's limits on a param's and a tag's value (``mlflow.utils.validation``)
PARAM_LIMIT, TAG_LIMIT = 6000, 8000
#: the numbers of a cell beside its accuracies: its size, times and cost
FIGURES = (
    "n_params",
    "n_nonzero",
    *TIMING_KEYS,
    *(column for part in COST_COLUMNS.values() for column in part if column != "saved_format"),
)
#: the MLflow status of a result of each nnbench status
RUN_STATUS = {"ok": "FINISHED", "failed": "FAILED", "skipped": "KILLED"}


class Point(NamedTuple):
    """One value of a metric: a step of 0 for a final figure, the epoch for the history."""

    key: str
    value: float
    step: int
    timestamp_ms: int


@dataclass(frozen=True)
class CellRun:
    """The MLflow run of one result (one seed of one cell)."""

    key: str  # the result file's name without .json: unique per dataset, model, seed and cell
    sha256: str  # the result file's: a rewritten file (a cell run again) exports again
    name: str
    status: str
    start_ms: int | None
    end_ms: int | None
    params: dict[str, str]
    tags: dict[str, str]
    metrics: list[Point]
    artifacts: list[Path]


@dataclass(frozen=True)
class FolderRun:
    """A run folder: the experiment its results go to by default, its cells, its reports."""

    name: str
    experiment: str
    cells: list[CellRun]
    reports: list[Path]


def safe(name: object) -> str:
    """``name`` in the characters MLflow allows in a key (distinct names stay distinct)."""
    return unique_slug(str(name), keep="_.-")


def clipped(value: str, limit: int) -> str:
    """``value``, cut to ``limit`` characters (the last an ellipsis) when longer."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def param_value(value: Any) -> str:
    """A parameter as MLflow stores it: text as it is, anything else as JSON."""
    return clipped(value if isinstance(value, str) else json.dumps(value), PARAM_LIMIT)


def milliseconds(started_at: str | None) -> int | None:
    """An ISO time as milliseconds since the epoch; None for none."""
    return round(datetime.fromisoformat(started_at).timestamp() * 1000) if started_at else None


def present(value: Any) -> bool:
    """Whether a table's cell holds a value (not None, NA or NaN)."""
    return value is not None and not pd.isna(value)


def accuracy_key(split: str, name: str) -> str:
    """``test_accuracy`` for the overall row, ``test_accuracy_class_3`` for a class's."""
    return f"{split}_accuracy" + ("" if name == ALL else f"_class_{safe(name)}")


def final_points(tidy: Tables, at_ms: int) -> list[Point]:
    """Accuracy per split and class, the scores beyond accuracy, and the :data:`FIGURES`."""
    classes = tidy.classes.to_dict("records")
    points = [
        Point(accuracy_key(row["split"], row["class"]), row["accuracy"], 0, at_ms)
        for row in classes
        if present(row["split"]) and present(row["accuracy"])
    ]
    points += [
        Point(f"{row['split']}_{safe(row['metric'])}", row["value"], 0, at_ms)
        for row in tidy.scores.to_dict("records")
        if row["metric"] != "accuracy"
    ]
    points += [
        Point(name, float(classes[0][name]), 0, at_ms)
        for name in FIGURES
        if present(classes[0][name])
    ]
    return points


def epoch_points(epochs: pd.DataFrame, start_ms: int) -> list[Point]:
    """The per-epoch history: ``epoch/<field>`` at step ``epoch``, timed by ``elapsed_s``."""
    points = []
    for row in epochs.to_dict("records"):
        at_ms = start_ms + round(1000 * row["elapsed_s"]) if present(row["elapsed_s"]) else start_ms
        points += [
            Point(f"epoch/{name}", float(row[name]), int(row["epoch"]), at_ms)
            for name in EPOCH_FIELDS
            if name != "epoch" and present(row[name])
        ]
    return points


def cell_tags(result: ResultDoc, key: str, folder: str) -> dict[str, str]:
    """What identifies and describes a result: dataset, model, seed, cell key, versions, the
    ``precision`` parameter, synthetic data, status, and a failure's error."""
    env, data = result["env"], result.get("data", {})
    tags = {
        "kind": "cell",
        "run_folder": folder,
        "cell_key": key,
        "cell_id": result.get("cell_id"),
        "dataset": result["dataset"],
        "model": result["model"],
        "variant": result.get("variant"),
        "seed": result["seed"],
        "study": result.get("study"),
        "status": result["status"],
        "error": result["error"],
        "error_kind": result.get("error_kind"),
        "skip_reason": result.get("skip_reason"),
        "warnings": "; ".join(result.get("warnings", [])) or None,
        "synthetic": "true" if data.get("synthetic") else "false",
        "precision": result["params"].get("precision"),
        "nnbench_version": env.get("nnbench"),
        "git_commit": env.get("git_commit"),
        "mlflow.source.git.commit": env.get("git_commit"),  # shown in MLflow's UI
        "device": env.get("device"),
        "started_at": env.get("started_at"),
    }
    if result["status"] != "ok":  # the run's description in MLflow's UI
        tags["mlflow.note.content"] = result["error"] or result.get("skip_reason")
    return {
        name: clipped(str(value), TAG_LIMIT) for name, value in tags.items() if value is not None
    }


def cell_run(run_dir: Path, result: ResultDoc) -> CellRun:
    """The MLflow run of one result of the run folder ``run_dir``."""
    path = run_dir / result_file_name(result)
    tidy = tables({str(run_dir): [result]})
    start_ms = milliseconds(result["env"].get("started_at"))
    wall_s = result["timing"].get("wall_s")
    at_ms = start_ms or round(time.time() * 1000)
    stored = result.get("predictions")
    sidecar = run_dir / stored["file"] if stored else None
    params = {safe(name): param_value(value) for name, value in flatten(result["params"]).items()}
    return CellRun(
        key=path.stem,
        sha256=sha256_file(path),
        name=f"{result['dataset']} · {result['model']} · seed {result['seed']}",
        status=RUN_STATUS[result["status"]],
        start_ms=start_ms,
        end_ms=start_ms + round(1000 * wall_s) if start_ms and wall_s is not None else None,
        params={**params, "seed": str(result["seed"])},
        tags=cell_tags(result, path.stem, run_dir.resolve().name),
        metrics=final_points(tidy, at_ms) + epoch_points(tidy.epochs, at_ms),
        artifacts=[file for file in (path, sidecar) if file is not None and file.is_file()],
    )


def folder_runs(run_dirs: Sequence[Path]) -> list[FolderRun]:
    """Each run folder's MLflow runs; its experiment is its results' study, else its name."""
    folders = []
    for run_dir in map(Path, run_dirs):
        results = read_run(run_dir)
        studies = [study for result in results if (study := result.get("study"))]
        reports = [run_dir / name for name in (*FORMATS.values(), PLOTS_FOLDER)]
        folders.append(
            FolderRun(
                name=run_dir.resolve().name,
                experiment=studies[0] if studies else run_dir.resolve().name,
                cells=[cell_run(run_dir, result) for result in results],
                reports=[path for path in reports if path.exists()],
            )
        )
    return folders
