"""Result files: one JSON document per cell, schema ``nnbench.result/1``, written atomically;
and :func:`load`, their tidy pandas view, which every report and check reads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from nnbench.errors import ResultFileError
from nnbench.files import atomic_write_text, slug
from nnbench.result_tables import CELL_COLUMNS, Tables
from nnbench.results_index import TABLES, folder_tables, list_results
from nnbench.schemas.result import SCHEMA, Result, validate
from nnbench.schemas.result_types import ResultDoc
from nnbench.sidecars import IN_FLIGHT, Predictions, read_sidecar, sidecar_name, write_sidecar

__all__ = [
    "SCHEMA",
    "Predictions",
    "ResultDoc",
    "load",
    "load_tables",
    "read_predictions",
    "read_run",
    "stored_predictions",
]


#: the names :func:`result_file_name` gives; other files in a run folder are not results
RESULT_FILES = "*__*__seed*__*.json"


def result_files(run_dir: Path) -> list[Path]:
    """The result files of a run folder, by name; other files (a ``package.json``) are not.
    None in a folder that does not exist."""
    if not run_dir.is_dir():
        return []
    return [run_dir / name for name in sorted(list_results(run_dir, RESULT_FILES))]


class Fields(Protocol):
    """A result document, or a row of :func:`load`'s table: its fields by name."""

    def __getitem__(self, key: str, /) -> Any: ...


def result_file_name(result: Fields) -> str:
    """``<dataset>__<model>__seed<seed>__<cell id>.json``, safe for any file system."""
    dataset, model = slug(result["dataset"]), slug(result["model"])
    return f"{dataset}__{model}__seed{result['seed']}__{result['cell_id']}.json"


def write_result(result: Result, run_dir: Path) -> Path:
    """Validate ``result`` and write it into ``run_dir`` atomically; return its path."""
    return run_dir / result_file_name(store_result(result, run_dir))


def store_result(result: Result, run_dir: Path) -> ResultDoc:
    """:func:`write_result`, returning the document as written. The predictions it carries in
    flight go first to their sidecar file (see :mod:`nnbench.sidecars`), which the result then
    records under ``predictions``."""
    predictions = result.pop(IN_FLIGHT, None)
    document = validate(result, source="result to write")
    path = run_dir / result_file_name(document)
    if predictions is not None:
        sidecar = run_dir / sidecar_name(path.name)
        document["predictions"] = write_sidecar(sidecar, predictions)
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=False) + "\n")
    return document


def read_predictions(run_dir: str | Path, result: ResultDoc) -> Predictions | None:
    """The per-image predictions stored beside ``result`` (a result of the run folder
    ``run_dir``): its test labels (``truth``), its predicted labels (``predicted``) and, when
    the model gave them, its class probabilities (``probabilities``, float16, one column per
    class), as NumPy arrays. None for a result without them: one that did not run, or one
    written before nnbench 0.6.

    Raises ResultFileError, naming the file, when the predictions file is missing, damaged
    (its SHA-256 is not the one the result recorded) or holds other test labels.

    >>> result = read_run(Path("results/runs/my-run"))[0]  # doctest: +SKIP
    >>> stored = read_predictions("results/runs/my-run", result)  # doctest: +SKIP
    >>> stored.correct.mean() == result["metrics"]["test"]["accuracy"]  # doctest: +SKIP
    """
    record = result.get("predictions")
    if not record:
        return None
    return read_sidecar(Path(run_dir) / record["file"], record)


def stored_predictions(row: pd.Series) -> Predictions | None:
    """:func:`read_predictions` for a row of :func:`load`'s table (or any of its side tables
    with those columns): None for a result without stored predictions."""
    file = row.get("predictions_file")
    if file is None or pd.isna(file):
        return None
    record = {"sha256": row["predictions_sha256"], "test_labels": row["test_labels"]}
    return read_sidecar(Path(str(row["run"])) / str(file), record)


def read_result(path: Path) -> ResultDoc:
    """Read and validate one result file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, bad UTF-8
        raise ResultFileError(f"{path}: cannot be read as JSON ({exc}).") from None
    return validate(document, source=str(path))


def read_run(run_dir: str | Path) -> list[ResultDoc]:
    """Every result file of a run folder, in the order the cells started."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ResultFileError(f"{run_dir}: no such run folder.")
    results = [read_result(path) for path in result_files(run_dir)]
    if not results:
        raise ResultFileError(
            f"{run_dir}: holds no result files (DATASET__MODEL__seedN__ID.json). Give the folder "
            "that `nnbench run --out` wrote."
        )
    return sorted(results, key=lambda result: result.get("cell_index", 0))


def distinct_run_dirs(run_dirs: Sequence[str | Path]) -> list[Path]:
    """The run folders as given; a folder given twice is an error."""
    seen: dict[Path, Path] = {}
    for run_dir in map(Path, run_dirs):
        if run_dir.resolve() in seen:
            raise ResultFileError(
                f"{run_dir}: this run folder is given twice (also as {seen[run_dir.resolve()]}). "
                "Give each run folder once."
            )
        seen[run_dir.resolve()] = run_dir
    return list(seen.values())


def with_run(frame: pd.DataFrame, run: str) -> pd.DataFrame:
    """``frame`` with ``run`` in its ``run`` column."""
    frame["run"] = pd.Series(run, index=frame.index, dtype=CELL_COLUMNS["run"])
    return frame


def folder_tables_of(run_dir: Path) -> Tables:
    """The tables of one run folder's results (through its index, see
    :mod:`nnbench.results_index`), the folder as given in their ``run`` column."""
    if not run_dir.is_dir():
        raise ResultFileError(f"{run_dir}: no such run folder.")
    found = folder_tables(run_dir, RESULT_FILES, read_result)
    if found.classes.empty:
        raise ResultFileError(
            f"{run_dir}: holds no result files (DATASET__MODEL__seedN__ID.json). Give the folder "
            "that `nnbench run --out` wrote."
        )
    return Tables(**{name: with_run(getattr(found, name), str(run_dir)) for name in TABLES})


def update_index(run_dir: Path) -> None:
    """Bring the run folder's index up to its result files now (see
    :mod:`nnbench.results_index`), so that a report made while a long run goes on loads fast."""
    folder_tables(run_dir, RESULT_FILES, read_result)


def load_tables(*run_dirs: str | Path) -> Tables:
    """:func:`load`, with the per-epoch history, the confusion matrices and the scores beside
    it."""
    parts = [folder_tables_of(run_dir) for run_dir in distinct_run_dirs(run_dirs)]
    if len(parts) == 1:
        return parts[0]
    return Tables(
        **{
            name: pd.concat([getattr(part, name) for part in parts], ignore_index=True)
            for name in TABLES
        }
    )


def load(*run_dirs: str | Path) -> pd.DataFrame:
    """Every result of the run folders as one tidy table.

    One row per (run, dataset, model, seed, split, class), in the order the cells ran; the row
    with ``class == "All"`` holds the overall accuracy of its split. A cell that was skipped or
    failed has one row, with no split or class, so that it is never silently dropped. Columns
    and dtypes are :data:`nnbench.result_tables.COLUMNS`:

    - keys: ``run`` (the folder as given), ``dataset``, ``model``, ``seed``, and ``protocol``:
      the parameters, subset and data sizes as canonical JSON. Rows that differ only by seed
      share it, so ``groupby(["dataset", "model", "protocol"])`` pools seeds;
    - the metric: ``accuracy`` (NaN for a class with no images) and ``n_images``;
    - per cell: ``status``, ``error``, ``error_kind`` (``data``, ``config``, ``model`` or
      ``timeout``), ``skip_reason``, ``fit_s``, ``predict_s``, ``eval_during_fit_s``, the
      phases of its wall time (``wall_s``, ``load_s``, ``build_s``, ``compile_s``,
      ``train_s``, ``score_s``, ``measure_s``), ``n_params``, ``n_nonzero`` and ``converged``
      (the LASSO's), its cost (``peak_rss_bytes``, ``device_peak_bytes``, ``sampler_cpu_s``,
      ``latency_p50_s``, ``latency_p95_s``, ``throughput_per_s``, ``parameter_bytes``,
      ``saved_bytes``, ``saved_format``; see :mod:`nnbench.execute.cost`), ``synthetic``,
      ``subset``, ``n_train``, ``n_test``, ``data_cached``, ``params`` (JSON), ``variant`` (the
      suite's label of one of several configurations of a model), ``cell_id``, ``study`` (the
      study that ran it, if any), ``model_info`` (the model's own facts, as JSON),
      ``warnings`` (what went wrong in training although the cell ran, ``; ``-separated),
      ``code`` (what identifies a user's model's code: ``sha256:…`` of its file, or its
      distribution's version), ``data_fingerprint`` (the data's content), and where its
      per-image predictions are: ``predictions_file``, ``predictions_sha256`` and
      ``test_labels`` (the test labels' fingerprint; see :func:`stored_predictions`);
    - ``env_*``: the device, versions, processor, cores, git commit and start time.

    >>> frame = load("results/runs/my-run")  # doctest: +SKIP
    >>> test = frame[(frame.split == "test") & (frame["class"] == "All")]
    >>> test.groupby("model", sort=False).accuracy.agg(["mean", "std", "count"])  # doctest: +SKIP

    Raises ResultFileError for a missing or empty folder or a malformed result file.
    """
    return load_tables(*run_dirs).classes
