"""Result files: one JSON document per cell, schema ``nnbench.result/1``, written atomically."""

from __future__ import annotations

import json
import re
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
    if result["status"] == "ok":
        for split in ("train", "test"):
            metrics = result["metrics"].get(split)
            if not isinstance(metrics, dict) or not {"accuracy", "per_class", "n"} <= set(metrics):
                raise ResultFileError(
                    f"{source}: an ok result needs metrics.{split} with accuracy, per_class and n."
                )
    return result


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
