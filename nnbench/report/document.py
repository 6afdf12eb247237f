"""The report as a list of blocks (headings, paragraphs, tables, figures), built once from the
tables of :func:`nnbench.results.load_tables` by the sections a study declares, and rendered by
:mod:`nnbench.report.render`; and the numbers behind it as one tidy table (the CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import pandas as pd

from nnbench.presentation import label_cells, status_cell
from nnbench.progress import counted
from nnbench.report.big_run import MANY_CELLS, cell_count, summary_report
from nnbench.report.blocks import Block, Heading, Paragraph
from nnbench.report.cost_section import CSV_COSTS
from nnbench.report.sections import ReportInput, Section
from nnbench.report.standard import DEFAULT_SECTIONS, with_cost
from nnbench.report.tables import Published, reach
from nnbench.result_tables import ALL, SEED_KEY, Tables
from nnbench.scores import METRICS
from nnbench.stats import CellSummary, Estimate, summarise


@dataclass(frozen=True)
class Report:
    """The blocks in reading order, and the numbers behind them as one tidy table (the CSV)."""

    blocks: list[Block]
    summary: pd.DataFrame
    #: whether it summarises a run too big to list cell by cell (:mod:`nnbench.report.big_run`);
    #: its summary, one row per cell, then also goes to Parquet beside the CSV
    summarised: bool = False


def estimate_columns(estimate: Estimate | None) -> dict[str, float | int | None]:
    """The numbers of an estimate as CSV columns."""
    if estimate is None:
        return {"mean": None, "sd": None, "ci95_half_width": None, "n": 0}
    return {
        "mean": estimate.mean,
        "sd": estimate.sd,
        "ci95_half_width": estimate.half_width,
        "n": estimate.n,
    }


SUMMARY_COLUMNS = {
    "dataset": "string",
    "synthetic": "bool",
    "model": "string",
    "seeds": "string",
    "status": "string",
    "metric": "string",
    "split": "string",
    "class": "string",
    "target": "float64",
    "mean": "float64",
    "sd": "float64",
    "ci95_half_width": "float64",
    "n": "Int64",
    "published": "float64",
    "text": "string",
}


def summary_rows(
    cell: CellSummary,
    label: str,
    given: ReportInput,
    published: Published | None,
) -> list[dict[str, object]]:
    """The CSV rows of one cell: accuracy per split and class (the overall test row with its
    ``published`` number), timings and the costs its seeds recorded, time to each target."""
    shared = {
        "dataset": cell.dataset,
        "synthetic": cell.synthetic,
        "model": label,
        "seeds": " ".join(map(str, cell.seeds)),
        "status": status_cell(cell),
    }
    rows: list[dict[str, object]] = []
    for split in ("train", "test") if cell.succeeded else ():
        for name in [ALL, *cell.classes()]:
            rows.append(
                {
                    **shared,
                    "metric": "accuracy",
                    "split": split,
                    "class": name,
                    **estimate_columns(cell.accuracy(split, name)),
                    "published": published.value(cell)
                    if published is not None and (split, name) == ("test", ALL)
                    else None,
                }
            )
    for name in METRICS if cell.succeeded else ():
        found = cell.score(given.tables.scores, name)
        if name != "accuracy" and found is not None:  # accuracy has its rows above
            rows.append(
                {**shared, "metric": name, "split": "test", "class": ALL, **estimate_columns(found)}
            )
    for key in ("fit_s", "predict_s", *CSV_COSTS):  # a cost only where it was recorded
        found = cell.timing(key)
        if found is not None or key in ("fit_s", "predict_s"):
            rows.append({**shared, "metric": key, **estimate_columns(found)})
    for target in given.targets if cell.succeeded else ():
        reached = reach(cell, given.tables.epochs, target)
        rows.append(
            {
                **shared,
                "metric": f"time_to_{cell.watched}_accuracy_s",
                "split": cell.watched,
                "class": ALL,
                "target": target,
                **estimate_columns(reached.seconds()),
                "text": reached.text(),
            }
        )
    return rows


def summary(given: ReportInput, published: Published | None) -> pd.DataFrame:
    """One row per (cell, metric, split, class): mean, sd, 95% half-width and n over seeds,
    with the ``published`` test accuracy beside the overall test row."""
    rows = []
    for cells in given.by_dataset().values():
        labels = label_cells(cells)
        for cell in cells:
            rows += summary_rows(cell, labels[cell], given, published)
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype(SUMMARY_COLUMNS)
    return cast(pd.DataFrame, frame)


def build_report(
    tables: Tables,
    sections: Sequence[Section] = DEFAULT_SECTIONS,
    targets: Sequence[float] = (),
    with_plots: bool = True,
    published: Published | None = None,
    title: str = "nnbench report",
) -> Report:
    """The report of every result in ``tables``: ``title``, where the results come from, then
    each of ``sections`` in order, with the cost section where they lack it (:func:`with_cost`);
    for a run of more than :data:`~nnbench.report.big_run.MANY_CELLS` cells, the summary of
    :func:`~nnbench.report.big_run.summary_report` instead.
    ``targets`` adds time-to-accuracy tables; ``with_plots=False`` leaves the figures out;
    ``published`` numbers go beside the overall test rows of the CSV."""
    if cell_count(tables.classes) > MANY_CELLS:
        return Report(*summary_report(tables, title, MANY_CELLS), summarised=True)
    given = ReportInput(tables, summarise(tables.classes), tuple(targets), with_plots)
    runs = list(dict.fromkeys(tables.classes["run"]))
    results = len(tables.classes.drop_duplicates(list(SEED_KEY)))
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(f"From {counted(results, 'result file')} in {', '.join(runs)}."),
    ]
    for section in with_cost(tuple(sections)):
        blocks += section(given)
    return Report(blocks, summary(given, published))
