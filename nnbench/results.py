"""Result files: one JSON document per cell, schema ``nnbench.result/1``, written atomically;
and :func:`load`, their tidy pandas view, which every report and check reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nnbench.errors import ResultFileError
from nnbench.files import atomic_write_text, slug
from nnbench.schemas.result import ENV_KEYS, EPOCH_FIELDS, SCHEMA, Result, validate

__all__ = ["SCHEMA", "Result", "load", "load_tables", "read_run", "write_result"]


#: the names :func:`result_file_name` gives; other files in a run folder are not results
RESULT_FILES = "*__*__seed*__*.json"


def result_files(run_dir: Path) -> list[Path]:
    """The result files of a run folder, by name; other files (a ``package.json``) are not."""
    return sorted(run_dir.glob(RESULT_FILES))


def result_file_name(result: Result) -> str:
    """``<dataset>__<model>__seed<seed>__<cell id>.json``, safe for any file system."""
    dataset, model = slug(result["dataset"]), slug(result["model"])
    return f"{dataset}__{model}__seed{result['seed']}__{result['cell_id']}.json"


def write_result(result: Result, run_dir: Path) -> Path:
    """Validate ``result`` and write it into ``run_dir`` atomically; return its path."""
    validate(result, source="result to write")
    path = run_dir / result_file_name(result)
    atomic_write_text(path, json.dumps(result, indent=2, sort_keys=False) + "\n")
    return path


def read_result(path: Path) -> Result:
    """Read and validate one result file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, bad UTF-8
        raise ResultFileError(f"{path}: cannot be read as JSON ({exc}).") from None
    return validate(document, source=str(path))


def read_run(run_dir: Path) -> list[Result]:
    """Every result file of a run folder, in the order the cells started."""
    if not run_dir.is_dir():
        raise ResultFileError(f"{run_dir}: no such run folder.")
    results = [read_result(path) for path in result_files(run_dir)]
    if not results:
        raise ResultFileError(
            f"{run_dir}: holds no result files (DATASET__MODEL__seedN__ID.json). Give the folder "
            "that `nnbench run --out` wrote."
        )
    return sorted(results, key=lambda result: result.get("cell_index", 0))


def read_runs(run_dirs: Sequence[Path]) -> dict[str, list[Result]]:
    """Every run folder's results, by the folder as given; a folder given twice is an error."""
    seen: dict[Path, Path] = {}
    for run_dir in map(Path, run_dirs):
        if run_dir.resolve() in seen:
            raise ResultFileError(
                f"{run_dir}: this run folder is given twice (also as {seen[run_dir.resolve()]}). "
                "Give each run folder once."
            )
        seen[run_dir.resolve()] = run_dir
    return {str(run_dir): read_run(run_dir) for run_dir in seen.values()}


def protocol(result: Result) -> dict[str, Any]:
    """What must match for two results to be seeds of one cell: the variant's label (when the
    suite names one), the parameters in use, the subset, and the data's sizes and classes where
    the result records them."""
    data = result.get("data", {})
    described = {
        **({"variant": result["variant"]} if result.get("variant") else {}),
        "params": result["params"],
        **{
            key: data[key]
            for key in ("subset", "n_train", "n_test", "input_shape", "classes", "resized")
            if key in data
        },
    }
    return json.loads(json.dumps(described, default=str))  # as stored: tuples become lists


def canonical(value: Any) -> str:
    """``value`` as compact JSON with sorted keys: equal values give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


#: the overall row's ``class`` in :func:`load`'s table (the lecture's "All" column)
ALL = "All"
#: the columns that name one result (one seed of one cell) in every table
SEED_KEY = ("run", "dataset", "model", "protocol", "seed")
CELL_COLUMNS = {
    "run": "string",
    "dataset": "string",
    "model": "string",
    "seed": "int64",
    "protocol": "string",
}
#: :func:`load`'s columns and their pandas dtypes, in order
COLUMNS = {
    **CELL_COLUMNS,
    "split": "string",
    "class": "string",
    "accuracy": "float64",
    "n_images": "Int64",
    "status": "string",
    "error": "string",
    "error_kind": "string",
    "skip_reason": "string",
    "fit_s": "float64",
    "predict_s": "float64",
    "eval_during_fit_s": "float64",
    "n_params": "Int64",
    "n_nonzero": "Int64",
    "converged": "boolean",
    "synthetic": "bool",
    "subset": "Int64",
    "n_train": "Int64",
    "n_test": "Int64",
    "params": "string",
    "variant": "string",
    "cell_id": "string",
    "study": "string",
    "model_info": "string",
    "warnings": "string",
    "code": "string",
    "data_fingerprint": "string",
    **{f"env_{key}": ("Int64" if key == "cores" else "string") for key in ENV_KEYS},
}
#: the columns of :attr:`Tables.epochs`: one row per epoch of a model that trains in epochs
EPOCH_COLUMNS = {
    **CELL_COLUMNS,
    **{name: "int64" if name == "epoch" else "float64" for name in EPOCH_FIELDS},
}
#: the columns of :attr:`Tables.confusion`: one row per (split, true class, predicted class)
CONFUSION_COLUMNS = {
    **CELL_COLUMNS,
    "split": "string",
    "true_class": "string",
    "predicted_class": "string",
    "count": "int64",
}


@dataclass(frozen=True)
class Tables:
    """Result files as three tidy tables: per class (:func:`load`), per epoch, and the confusion
    matrices, each keyed by run, dataset, model, seed and protocol."""

    classes: pd.DataFrame
    epochs: pd.DataFrame
    confusion: pd.DataFrame


def typed(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> pd.DataFrame:
    """``rows`` as a DataFrame with exactly ``columns``, in order, of their dtypes."""
    return pd.DataFrame(rows, columns=list(columns)).astype(dict(columns))


def cell_key(run: str, result: Result) -> dict[str, Any]:
    """The key columns of one result; ``protocol`` is :func:`protocol` as canonical JSON."""
    return {
        "run": run,
        "dataset": result["dataset"],
        "model": result["model"],
        "seed": result["seed"],
        "protocol": canonical(protocol(result)),
    }


def cell_facts(result: Result) -> dict[str, Any]:
    """The columns every row of one result shares: status, timing, size, data and environment."""
    info, data, env = result.get("model_info") or {}, result.get("data", {}), result["env"]
    return {
        "status": result["status"],
        "error": result["error"],
        "error_kind": result.get("error_kind"),
        "skip_reason": result.get("skip_reason"),
        **{key: result["timing"].get(key) for key in ("fit_s", "predict_s", "eval_during_fit_s")},
        "n_params": result["n_params"],
        "n_nonzero": info.get("n_nonzero"),
        "converged": info.get("converged"),
        "synthetic": bool(data.get("synthetic", False)),
        **{key: data.get(key) for key in ("subset", "n_train", "n_test")},
        "params": canonical(result["params"]),
        "variant": result.get("variant"),
        "cell_id": result.get("cell_id"),
        "study": result.get("study"),
        "model_info": canonical(info),
        "warnings": "; ".join(result.get("warnings", [])) or None,
        "code": result.get("model_origin", {}).get("code"),
        "data_fingerprint": data.get("fingerprint"),
        **{f"env_{key}": env.get(key) for key in ENV_KEYS},
    }


def class_rows(run: str, result: Result) -> list[dict[str, Any]]:
    """One row per (split, class), the overall accuracy as class ``All``; one row with no split
    for a result that did not run."""
    shared = {**cell_key(run, result), **cell_facts(result)}
    if result["status"] != "ok":
        return [shared]
    rows = []
    for split in ("train", "test"):
        metrics = result["metrics"][split]
        support = metrics.get("support", {})
        rows.append(
            {
                **shared,
                "split": split,
                "class": ALL,
                "accuracy": metrics["accuracy"],
                "n_images": metrics["n"],
            }
        )
        rows += [
            {
                **shared,
                "split": split,
                "class": name,
                "accuracy": value,
                "n_images": support.get(name),
            }
            for name, value in metrics["per_class"].items()
        ]
    return rows


def epoch_rows(run: str, result: Result) -> list[dict[str, Any]]:
    """One row per epoch of the result's history."""
    key = cell_key(run, result)
    return [
        {**key, **{column: row.get(column) for column in EPOCH_COLUMNS if column not in key}}
        for row in result["history"]
    ]


def confusion_rows(run: str, result: Result) -> list[dict[str, Any]]:
    """One row per (split, true class, predicted class) of the confusion matrices it holds."""
    if result["status"] != "ok":
        return []
    key = cell_key(run, result)
    rows = []
    for split in ("train", "test"):
        names = list(result["metrics"][split]["per_class"])
        for true_name, counts in zip(
            names, result["metrics"][split].get("confusion", []), strict=False
        ):
            rows += [
                {
                    **key,
                    "split": split,
                    "true_class": true_name,
                    "predicted_class": predicted,
                    "count": count,
                }
                for predicted, count in zip(names, counts, strict=True)
            ]
    return rows


def tables(runs: Mapping[str, Sequence[Result]]) -> Tables:
    """The three tables of result documents, given by the run they belong to."""
    pairs = [(run, result) for run, results in runs.items() for result in results]
    for run, result in pairs:
        classes = result["metrics"].get("test", {}).get("per_class", {})
        if ALL in classes:
            raise ResultFileError(
                f"{run}: {result['dataset']} has a class named {ALL!r}, the name load() gives "
                "the overall row. Rename that class in the dataset."
            )
    return Tables(
        classes=typed([row for pair in pairs for row in class_rows(*pair)], COLUMNS),
        epochs=typed([row for pair in pairs for row in epoch_rows(*pair)], EPOCH_COLUMNS),
        confusion=typed(
            [row for pair in pairs for row in confusion_rows(*pair)], CONFUSION_COLUMNS
        ),
    )


def load_tables(*run_dirs: str | Path) -> Tables:
    """:func:`load`, with the per-epoch history and the confusion matrices beside it."""
    return tables(read_runs([Path(run_dir) for run_dir in run_dirs]))


def load(*run_dirs: str | Path) -> pd.DataFrame:
    """Every result of the run folders as one tidy table.

    One row per (run, dataset, model, seed, split, class), in the order the cells ran; the row
    with ``class == "All"`` holds the overall accuracy of its split. A cell that was skipped or
    failed has one row, with no split or class, so that it is never silently dropped. Columns
    and dtypes are :data:`COLUMNS`:

    - keys: ``run`` (the folder as given), ``dataset``, ``model``, ``seed``, and ``protocol``:
      the parameters, subset and data sizes as canonical JSON. Rows that differ only by seed
      share it, so ``groupby(["dataset", "model", "protocol"])`` pools seeds;
    - the metric: ``accuracy`` (NaN for a class with no images) and ``n_images``;
    - per cell: ``status``, ``error``, ``error_kind`` (``data``, ``config`` or ``model``),
      ``skip_reason``, ``fit_s``, ``predict_s``,
      ``eval_during_fit_s``, ``n_params``, ``n_nonzero`` and ``converged`` (the LASSO's),
      ``synthetic``, ``subset``, ``n_train``, ``n_test``, ``params`` (JSON), ``variant`` (the
      suite's label of one of several configurations of a model), ``cell_id``, ``study`` (the
      study that ran it, if any), ``model_info`` (the model's own facts, as JSON),
      ``warnings`` (what went wrong in training although the cell ran, ``; ``-separated),
      ``code`` (what identifies a user's model's code: ``sha256:…`` of its file, or its
      distribution's version) and ``data_fingerprint`` (the data's content);
    - ``env_*``: the device, versions, processor, cores, git commit and start time.

    >>> frame = load("results/runs/my-run")  # doctest: +SKIP
    >>> test = frame[(frame.split == "test") & (frame["class"] == "All")]
    >>> test.groupby("model", sort=False).accuracy.agg(["mean", "std", "count"])  # doctest: +SKIP

    Raises ResultFileError for a missing or empty folder or a malformed result file.
    """
    return load_tables(*run_dirs).classes
