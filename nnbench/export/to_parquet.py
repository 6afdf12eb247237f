"""Run folders as Parquet files: the tables of :func:`nnbench.results.load_tables`, each read
back with the columns and pandas dtypes it was written with (see :mod:`nnbench.parquet_files`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from nnbench.files import writing
from nnbench.parquet_files import write_parquet
from nnbench.result_tables import (
    CELL_COLUMNS,
    COLUMNS,
    CONFUSION_COLUMNS,
    EPOCH_COLUMNS,
    SCORE_COLUMNS,
    Tables,
)
from nnbench.results import load_tables

#: the per-(cell, split, class) accuracies: the key columns and the metric of load()'s table
PER_CLASS_COLUMNS = {
    column: COLUMNS[column] for column in (*CELL_COLUMNS, "split", "class", "accuracy", "n_images")
}
#: each file's columns and their pandas dtypes, and what one row of it is
FILES: dict[str, tuple[Mapping[str, str], str]] = {
    "cells.parquet": (
        COLUMNS,
        "the table of `nnbench.results.load()`: one row per (run, dataset, model, seed, split, "
        "class), the overall accuracy as class `All`; one row, without split or class, for a "
        "cell that failed or was skipped",
    ),
    "per_class.parquet": (
        PER_CLASS_COLUMNS,
        "one row per (cell seed, split, class) that was scored: the key columns and the accuracy",
    ),
    "history.parquet": (EPOCH_COLUMNS, "one row per epoch of a model that trains in epochs"),
    "confusion.parquet": (
        CONFUSION_COLUMNS,
        "one row per (cell seed, split, true class, predicted class)",
    ),
    "scores.parquet": (SCORE_COLUMNS, "one row per (cell seed, split, metric)"),
}


def frames(tables: Tables) -> dict[str, pd.DataFrame]:
    """The table of each of :data:`FILES`, by file name."""
    scored = tables.classes[tables.classes["split"].notna()]
    return {
        "cells.parquet": tables.classes,
        "per_class.parquet": scored[list(PER_CLASS_COLUMNS)].reset_index(drop=True),
        "history.parquet": tables.epochs,
        "confusion.parquet": tables.confusion,
        "scores.parquet": tables.scores,
    }


def export_parquet(run_dirs: Sequence[Path], out_dir: Path) -> list[Path]:
    """Write :data:`FILES` for the run folders into ``out_dir``; return their paths."""
    written = []
    for name, frame in frames(load_tables(*run_dirs)).items():
        with writing("the --to parquet file", out_dir / name):
            written.append(write_parquet(out_dir / name, frame, {"table": name.split(".")[0]}))
    return written


def column_reference() -> str:
    """Markdown: each file of :data:`FILES`, what a row is, and its columns with their pandas
    dtypes (docs/export.md holds it, and a test checks it is current)."""
    sections = []
    for name, (columns, rows) in FILES.items():
        lines = [f"### `{name}`", "", f"{rows[0].upper()}{rows[1:]}.", ""]
        lines += ["| column | dtype |", "| --- | --- |"]
        lines += [f"| `{column}` | `{dtype}` |" for column, dtype in columns.items()]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
