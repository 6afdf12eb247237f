"""The tidy tables of result documents: one row per (split, class), per epoch, per confusion
cell and per score, each keyed by run, dataset, model, protocol and seed.
:func:`nnbench.results.load` reads result files into them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from nnbench.canonical_json import canonical
from nnbench.errors import ResultFileError
from nnbench.schemas.result import ENV_KEYS, EPOCH_FIELDS
from nnbench.schemas.result_types import ResultDoc

#: the data facts that are part of a cell's protocol, where a result records them
PROTOCOL_DATA = ("subset", "n_train", "n_test", "input_shape", "classes", "resized", "validation")


def protocol(result: ResultDoc) -> dict[str, Any]:
    """What must match for two results to be seeds of one cell: the variant's label (when the
    suite names one), the parameters in use, the subset, the validation share, and the data's
    sizes and classes where the result records them."""
    data: Mapping[str, object] = result.get("data", {})
    variant: dict[str, object] = {"variant": result["variant"]} if result.get("variant") else {}
    described = {
        **variant,
        "params": result["params"],
        **{key: data[key] for key in PROTOCOL_DATA if key in data},
    }
    found: dict[str, Any] = json.loads(json.dumps(described, default=str))  # tuples as lists
    return found


#: the splits a result scores, in order: the validation hold-out only when the cell has one
SPLITS = ("train", "validation", "test")
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
#: the phases of a cell's wall time (nnbench 0.7): loading its data, building, compiling and
#: training its model, scoring it, and measuring its cost
PHASES = ("wall_s", "load_s", "build_s", "compile_s", "train_s", "score_s", "measure_s")
#: a result's ``timing``: its model's fit and predict times, and the phases
TIMING_KEYS = ("fit_s", "predict_s", "eval_during_fit_s", *PHASES)
#: the columns read from each part of a result's ``cost`` (nnbench 0.7), and their dtypes
COST_COLUMNS = {
    "memory": {"peak_rss_bytes": "Int64", "device_peak_bytes": "Int64", "sampler_cpu_s": "float64"},
    "inference": {
        "latency_p50_s": "float64",
        "latency_p95_s": "float64",
        "throughput_per_s": "float64",
    },
    "size": {"parameter_bytes": "Int64", "saved_bytes": "Int64", "saved_format": "string"},
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
    **{key: "float64" for key in TIMING_KEYS},
    "n_params": "Int64",
    "n_nonzero": "Int64",
    "converged": "boolean",
    **{column: dtype for columns in COST_COLUMNS.values() for column, dtype in columns.items()},
    "synthetic": "bool",
    "subset": "Int64",
    "n_train": "Int64",
    "n_test": "Int64",
    "data_cached": "boolean",
    "params": "string",
    "variant": "string",
    "cell_id": "string",
    "study": "string",
    "model_info": "string",
    "warnings": "string",
    "code": "string",
    "data_fingerprint": "string",
    "predictions_file": "string",
    "predictions_sha256": "string",
    "test_labels": "string",
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


#: the columns of :attr:`Tables.scores`: one row per (split, metric) of a result's ``scores``
SCORE_COLUMNS = {**CELL_COLUMNS, "split": "string", "metric": "string", "value": "float64"}


@dataclass(frozen=True)
class Tables:
    """Result files as four tidy tables: per class (:func:`nnbench.results.load`), per epoch,
    the confusion matrices, and the metrics beyond accuracy (``scores``), each keyed by run,
    dataset, model, seed and protocol."""

    classes: pd.DataFrame
    epochs: pd.DataFrame
    confusion: pd.DataFrame
    scores: pd.DataFrame


def typed(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> pd.DataFrame:
    """``rows`` as a DataFrame with exactly ``columns``, in order, of their dtypes."""
    return cast(pd.DataFrame, pd.DataFrame(rows, columns=list(columns)).astype(dict(columns)))


def cell_key(run: str, result: ResultDoc) -> dict[str, Any]:
    """The key columns of one result; ``protocol`` is :func:`protocol` as canonical JSON."""
    return {
        "run": run,
        "dataset": result["dataset"],
        "model": result["model"],
        "seed": result["seed"],
        "protocol": canonical(protocol(result)),
    }


def cost_facts(result: ResultDoc) -> dict[str, Any]:
    """The :data:`COST_COLUMNS` of one result; None for a part it lacks (all before nnbench
    0.7)."""
    cost = result.get("cost") or {}
    parts: dict[str, Mapping[str, object]] = {
        "memory": cost.get("memory") or {},
        "inference": cost.get("inference") or {},
        "size": cost.get("size") or {},
    }
    return {
        column: parts[part].get(column)
        for part, columns in COST_COLUMNS.items()
        for column in columns
    }


def cell_facts(result: ResultDoc) -> dict[str, Any]:
    """The columns every row of one result shares: status, timing, cost, size, data and
    environment."""
    info, data, env = result.get("model_info") or {}, result.get("data", {}), result["env"]
    stored: Mapping[str, object] = result.get("predictions") or {}
    timing: Mapping[str, object] = result["timing"]
    return {
        "status": result["status"],
        "error": result["error"],
        "error_kind": result.get("error_kind"),
        "skip_reason": result.get("skip_reason"),
        **{key: timing.get(key) for key in TIMING_KEYS},
        "n_params": result["n_params"],
        "n_nonzero": info.get("n_nonzero"),
        "converged": info.get("converged"),
        **cost_facts(result),
        "synthetic": bool(data.get("synthetic", False)),
        **{key: data.get(key) for key in ("subset", "n_train", "n_test")},
        "data_cached": data.get("cached"),
        "params": canonical(result["params"]),
        "variant": result.get("variant"),
        "cell_id": result.get("cell_id"),
        "study": result.get("study"),
        "model_info": canonical(info),
        "warnings": "; ".join(result.get("warnings", [])) or None,
        "code": result.get("model_origin", {}).get("code"),
        "data_fingerprint": data.get("fingerprint"),
        **{f"predictions_{key}": stored.get(key) for key in ("file", "sha256")},
        "test_labels": stored.get("test_labels"),
        **{f"env_{key}": env.get(key) for key in ENV_KEYS},
    }


def class_rows(run: str, result: ResultDoc) -> list[dict[str, Any]]:
    """One row per (split, class), the overall accuracy as class ``All``; one row with no split
    for a result that did not run."""
    shared = {**cell_key(run, result), **cell_facts(result)}
    if result["status"] != "ok":
        return [shared]
    rows = []
    for split in [name for name in SPLITS if name in result["metrics"]]:
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


def epoch_rows(run: str, result: ResultDoc) -> list[dict[str, Any]]:
    """One row per epoch of the result's history."""
    key = cell_key(run, result)
    return [
        {**key, **{column: row.get(column) for column in EPOCH_COLUMNS if column not in key}}
        for row in result["history"]
    ]


def confusion_rows(run: str, result: ResultDoc) -> list[dict[str, Any]]:
    """One row per (split, true class, predicted class) of the confusion matrices it holds."""
    if result["status"] != "ok":
        return []
    key = cell_key(run, result)
    rows = []
    for split in ("train", "test"):
        names = list(result["metrics"][split]["per_class"])
        for true_name, counts in zip(
            names, result["metrics"][split].get("confusion") or [], strict=False
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


def score_rows(run: str, result: ResultDoc) -> list[dict[str, Any]]:
    """One row per (split, metric) of a result: its accuracy, and the scores beyond it that
    it holds (see :mod:`nnbench.scores`; none before nnbench 0.6)."""
    if result["status"] != "ok":
        return []
    key = cell_key(run, result)
    return [
        {**key, "split": split, "metric": name, "value": value}
        for split, metrics in result["metrics"].items()
        for name, value in {"accuracy": metrics["accuracy"], **metrics.get("scores", {})}.items()
    ]


def tables(runs: Mapping[str, Sequence[ResultDoc]]) -> Tables:
    """The three tables of result documents, given by the run they belong to."""
    pairs = [(run, result) for run, results in runs.items() for result in results]
    for run, result in pairs:
        test = result["metrics"].get("test")
        if test and ALL in test["per_class"]:
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
        scores=typed([row for pair in pairs for row in score_rows(*pair)], SCORE_COLUMNS),
    )
