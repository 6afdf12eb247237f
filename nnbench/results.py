"""Result files: one JSON document per cell, schema ``nnbench.result/1``, written atomically."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nnbench.errors import ResultFileError
from nnbench.files import atomic_write_text

SCHEMA = "nnbench.result/1"
REQUIRED_KEYS = (
    "schema",
    "dataset",
    "model",
    "seed",
    "params",
    "status",
    "error",
    "n_params",
    "metrics",
    "timing",
    "history",
    "env",
)
STATUSES = ("ok", "failed", "skipped")

Result = dict[str, Any]


def result_file_name(result: Result) -> str:
    """``<dataset>__<model>__seed<seed>__<cell id>.json``, safe for any file system."""
    dataset = re.sub(r"[^A-Za-z0-9_.-]+", "-", result["dataset"]).strip("-")
    return f"{dataset}__{result['model']}__seed{result['seed']}__{result['cell_id']}.json"


def write_result(result: Result, run_dir: Path) -> Path:
    """Validate ``result`` and write it into ``run_dir`` atomically; return its path."""
    validate(result, source="result to write")
    path = run_dir / result_file_name(result)
    atomic_write_text(path, json.dumps(result, indent=2, sort_keys=False) + "\n")
    return path


def validate(result: Any, source: str) -> Result:
    """Raise ResultFileError unless ``result`` is a result document of this schema."""
    if not isinstance(result, dict):
        raise ResultFileError(f"{source}: not a JSON object.")
    if result.get("schema") != SCHEMA:
        raise ResultFileError(
            f"{source}: schema {result.get('schema')!r}, expected {SCHEMA!r}. "
            "Was it written by another version of nnbench?"
        )
    missing = [key for key in REQUIRED_KEYS if key not in result]
    if missing:
        raise ResultFileError(f"{source}: missing keys {', '.join(missing)}.")
    if result["status"] not in STATUSES:
        raise ResultFileError(f"{source}: status {result['status']!r} is not one of {STATUSES}.")
    for key in ("params", "metrics", "timing", "env"):
        if not isinstance(result[key], dict):
            raise ResultFileError(f"{source}: {key} must be a JSON object.")
    if type(result["seed"]) is not int or result["seed"] < 0:
        raise ResultFileError(f"{source}: seed must be a whole number, got {result['seed']!r}.")
    if not isinstance(result.get("data", {}), dict):
        raise ResultFileError(f"{source}: data must be a JSON object.")
    if result["status"] == "ok":
        for split in ("train", "test"):
            validate_metrics(result["metrics"].get(split), f"{source}: metrics.{split}")
    return result


def is_accuracy(value: Any) -> bool:
    """A number from 0 to 1 (None, for a class without images, is checked by the caller)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def validate_metrics(metrics: Any, where: str) -> None:
    """Raise ResultFileError unless ``metrics`` holds an accuracy, per-class accuracies and n."""
    if not isinstance(metrics, dict) or not {"accuracy", "per_class", "n"} <= set(metrics):
        raise ResultFileError(f"{where}: an ok result needs accuracy, per_class and n.")
    per_class = metrics["per_class"]
    if not is_accuracy(metrics["accuracy"]) or not isinstance(per_class, dict):
        raise ResultFileError(f"{where}: accuracy must be from 0 to 1, per_class an object.")
    if not all(value is None or is_accuracy(value) for value in per_class.values()):
        raise ResultFileError(f"{where}: each per_class accuracy must be from 0 to 1, or null.")


def pool(runs: Mapping[str, Sequence[Result]]) -> list[Result]:
    """The results of several runs, run after run."""
    return [result for run in runs.values() for result in run]


def read_result(path: Path) -> Result:
    """Read and validate one result file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultFileError(f"{path}: cannot be read as JSON ({exc}).") from exc
    return validate(document, source=str(path))


def read_run(run_dir: Path) -> list[Result]:
    """Every result file of a run folder, in the order the cells started."""
    if not run_dir.is_dir():
        raise ResultFileError(f"{run_dir}: no such run folder.")
    results = [read_result(path) for path in sorted(run_dir.glob("*.json"))]
    if not results:
        raise ResultFileError(f"{run_dir}: holds no result files (*.json).")
    return sorted(results, key=lambda result: result.get("cell_index", 0))
