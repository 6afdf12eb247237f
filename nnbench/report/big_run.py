"""The report of a run too big to list cell by cell (a grid of thousands of cells): per dataset,
a summary per model, and per grid axis (a parameter that takes several values) the test
accuracy at each value. The full table, one row per cell, is the report's CSV (and Parquet).

Everything here is a pandas group-by over one row per result, so a report of 100,000 results
never builds a :class:`~nnbench.stats.CellSummary` per cell.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

import pandas as pd

from nnbench.presentation import Table
from nnbench.progress import counted
from nnbench.report.blocks import Block, Heading, Paragraph, TableBlock
from nnbench.report.tables import environment_table
from nnbench.result_tables import ALL, SEED_KEY, Tables
from nnbench.stats import flatten

#: a run with more cells (dataset, model, protocol) than this gets the summary report: beyond
#: it the full report grows slow (it pairs every two models) and its plots stop fitting
MANY_CELLS = 40
#: an axis with more values than this is shown in this many bins (numbers) or top values
AXIS_ROWS = 12
CELL = ["dataset", "model", "protocol"]


def per_result(classes: pd.DataFrame) -> pd.DataFrame:
    """One row per result: its overall test row, or its only row when it did not run."""
    overall = (classes["split"] == "test") & (classes["class"] == ALL)
    return cast(pd.DataFrame, classes[overall.fillna(False) | classes["split"].isna()])


def cell_count(classes: pd.DataFrame) -> int:
    """How many cells (dataset, model, protocol) the rows hold."""
    return len(per_result(classes)[CELL].drop_duplicates())


def typed_parameter(values: pd.Series) -> pd.Series:
    """A parameter's column: numbers where every value is one, else text (lists as JSON)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() == values.notna().sum():
        return numbers
    text = [None if value is None else json.dumps(value) if isinstance(value, list) else str(value)
            for value in values]  # fmt: skip
    return pd.Series(text, index=values.index, dtype="string")


def parameter_columns(protocols: pd.Series) -> pd.DataFrame:
    """Each distinct protocol's parameters, flattened (``optimizer.lr``), one column each."""
    unique = protocols.drop_duplicates()
    rows = [flatten(json.loads(text)["params"]) for text in unique]
    frame = pd.DataFrame(rows, index=unique.to_numpy()).add_prefix("param.")
    frame = frame.apply(typed_parameter) if len(frame.columns) else frame
    return cast(pd.DataFrame, frame.rename_axis("protocol").reset_index())


def cell_table(classes: pd.DataFrame) -> pd.DataFrame:
    """One row per cell, in the order the cells ran: dataset, model, its parameters, how many
    results ran, failed and were skipped, test accuracy over seeds (mean, sd, min, max),
    mean fit seconds, whether synthetic, and the protocol."""
    rows = per_result(classes)
    status = pd.crosstab([rows[c] for c in CELL], rows["status"]).reindex(
        columns=["ok", "failed", "skipped"], fill_value=0
    )
    grouped = rows.groupby(CELL, sort=False, dropna=False)
    table = grouped.agg(
        seeds=("seed", "nunique"),
        test_accuracy_mean=("accuracy", "mean"),
        test_accuracy_sd=("accuracy", "std"),
        test_accuracy_min=("accuracy", "min"),
        test_accuracy_max=("accuracy", "max"),
        fit_s_mean=("fit_s", "mean"),
        synthetic=("synthetic", "any"),
    )
    table = table.join(status.add_prefix("n_")).reset_index()
    table = table.merge(parameter_columns(table["protocol"]), on="protocol", how="left")
    first = [c for c in table.columns if c not in ("protocol",)]
    return cast(pd.DataFrame, table[[*first, "protocol"]])


def accuracy_text(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.4f}"


def parameters_text(row: pd.Series, axes: Sequence[str]) -> str:
    values = [f"{axis.removeprefix('param.')}={row[axis]}" for axis in axes if pd.notna(row[axis])]
    return ", ".join(values) or "defaults"


def model_table(cells: pd.DataFrame) -> Table:
    """Per model of one dataset: its cells and results, the best, median and worst cell's test
    accuracy (mean over its seeds), the best cell's parameters and the median fit time."""
    rows = []
    for model, of_model in cells.groupby("model", sort=False):
        ran = of_model.dropna(subset=["test_accuracy_mean"])
        best = ran.loc[ran["test_accuracy_mean"].idxmax()] if len(ran) else None
        rows.append(
            [
                str(model),
                f"{len(of_model):,}",
                f"{int(of_model[['n_ok', 'n_failed', 'n_skipped']].sum().sum()):,}",
                f"{int(of_model['n_failed'].sum()):,}",
                accuracy_text(ran["test_accuracy_mean"].max()),
                accuracy_text(ran["test_accuracy_mean"].median()),
                accuracy_text(ran["test_accuracy_mean"].min()),
                parameters_text(best, axes_of(of_model)) if best is not None else "–",
                f"{of_model['fit_s_mean'].median():.2f}",
            ]
        )
    headers = ["model", "cells", "results", "failed", "best test acc", "median", "worst",
               "best cell's parameters", "median fit s"]  # fmt: skip
    return Table(headers, rows, "lrrrrrrlr")


def axes_of(cells: pd.DataFrame) -> list[str]:
    """The parameters that take two or more values among ``cells``: the grid's axes."""
    columns = [c for c in cells.columns if c.startswith("param.")]
    return [c for c in columns if cells[c].astype(str).nunique(dropna=True) > 1]


def axis_values(values: pd.Series) -> pd.Series:
    """The values of an axis as the rows to show: themselves, or numbers in ``AXIS_ROWS`` bins
    of equal count, or the most common values and "other"."""
    if values.nunique() <= AXIS_ROWS:
        return values.astype(str)
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return cast(pd.Series, pd.qcut(numbers, AXIS_ROWS, duplicates="drop").astype(str))
    common = values.astype(str).value_counts().index[: AXIS_ROWS - 1]
    return cast(pd.Series, values.astype(str).where(values.astype(str).isin(common), "other"))


def axis_table(cells: pd.DataFrame, axis: str) -> Table:
    """Test accuracy over the cells at each value of one axis: cells, mean, best; fit time."""
    values = axis_values(cells[axis])
    grouped = cells.groupby(values, sort=False)
    rows = [
        [
            str(value),
            f"{len(group):,}",
            accuracy_text(group["test_accuracy_mean"].mean()),
            accuracy_text(group["test_accuracy_mean"].max()),
            f"{group['fit_s_mean'].median():.2f}",
        ]
        for value, group in grouped
    ]
    name = axis.removeprefix("param.")
    return Table([name, "cells", "mean test acc", "best test acc", "median fit s"], rows, "lrrrr")


def dataset_blocks(dataset: str, cells: pd.DataFrame) -> list[Block]:
    """The summary of one dataset's cells: per model, then per model and axis."""
    synthetic = " (synthetic data)" if cells["synthetic"].any() else ""
    blocks: list[Block] = [
        Heading(f"{dataset}{synthetic}", 2),
        TableBlock(model_table(cells), f"{dataset}: each model's cells, best to worst."),
    ]
    for model, of_model in cells.groupby("model", sort=False):
        axes = axes_of(of_model)
        if axes:
            blocks.append(Heading(f"{model}: test accuracy along each grid axis", 3))
        for axis in axes:
            caption = f"{dataset} · {model}: test accuracy by {axis.removeprefix('param.')}."
            blocks.append(TableBlock(axis_table(of_model, axis), caption))
    return blocks


def summary_report(
    tables: Tables, title: str, limit: int = MANY_CELLS
) -> tuple[list[Block], pd.DataFrame]:
    """The blocks of the summary report of a run of more than ``limit`` cells, and its full
    table (one row per cell)."""
    classes = tables.classes
    cells = cell_table(classes)
    runs = list(dict.fromkeys(classes["run"]))
    results = len(per_result(classes).drop_duplicates(list(SEED_KEY)))
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(f"From {counted(results, 'result file')} in {', '.join(runs)}."),
        Paragraph(
            f"{counted(len(cells), 'cell')}, more than {limit}: this report summarises "
            "them per model and per grid axis (a parameter that takes several values; many "
            "values are shown in bins of equal count). Every cell, one row each, is in "
            "report.csv and report.parquet. A best cell is chosen on the test set here, so its "
            "accuracy is optimistic: give the grid a validation split to choose on it."
        ),
    ]
    for dataset, of_dataset in cells.groupby("dataset", sort=False):
        blocks += dataset_blocks(str(dataset), of_dataset)
    blocks += [
        Heading("Environment", 2),
        TableBlock(environment_table(per_result(classes)), "The machine and software of the runs."),
    ]
    return blocks, cells
