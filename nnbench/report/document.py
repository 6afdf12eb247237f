"""The report as a list of blocks (headings, paragraphs, tables, figures), built once from the
tables of :func:`nnbench.results.load_tables` and rendered by :mod:`nnbench.report.render`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure as MatplotlibFigure

from nnbench.files import unique_slug
from nnbench.presentation import Table, one_line, status_cell
from nnbench.report import plots
from nnbench.report.tables import (
    CI_NAME,
    Labels,
    comparison_table,
    dataset_title,
    environment_table,
    has_lecture_numbers,
    label_cells,
    lecture_accuracy,
    reach,
    seed_table,
    time_to_accuracy_table,
)
from nnbench.results import ALL, SEED_KEY, Tables
from nnbench.stats import CellSummary, Estimate, summarise


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    lines: list[str]


@dataclass(frozen=True)
class TableBlock:
    table: Table
    caption: str


@dataclass(frozen=True)
class Figure:
    """A plot: written as ``plots/<stem>.png`` and ``.svg``; ``draw`` makes it."""

    stem: str
    caption: str
    draw: Callable[[], MatplotlibFigure]


Block = Heading | Paragraph | Items | TableBlock | Figure


@dataclass(frozen=True)
class Report:
    """The blocks in reading order, and the numbers behind them as one tidy table (the CSV)."""

    blocks: list[Block]
    summary: pd.DataFrame


def skip_list(cells: Sequence[CellSummary]) -> list[str]:
    """Each reason for skipping once, with the models it applies to."""
    models_by_reason: dict[str, list[str]] = {}
    for cell in cells:
        for row in cell.with_status("skipped").itertuples():
            models_by_reason.setdefault(one_line(row.skip_reason), []).append(cell.model)
    return [
        f"Skipped {', '.join(dict.fromkeys(models))}: {reason}"
        for reason, models in models_by_reason.items()
    ]


def seeds_heading(cell: CellSummary, label: str) -> str:
    """``model (seed 0)``, or, over several seeds, what the numbers are."""
    seeds = ", ".join(str(seed) for seed in cell.seeds)
    if len(cell.per_seed) == 1:
        return f"{label} (seed {seeds})"
    return f"{label} (seeds {seeds}: mean ± {CI_NAME})"


def dataset_note(cells: Sequence[CellSummary]) -> str:
    """What the comparison's numbers are: synthetic data, the lecture's column, seeds, and
    cells whose seeds ran on different machines."""
    dataset = cells[0].dataset
    if cells[0].synthetic:
        note = (
            f"SYNTHETIC data: {dataset} is a generated stand-in, not real images, so these "
            "numbers say nothing about real data and the lecture has none to compare."
        )
    elif has_lecture_numbers(cells[0]):
        note = (
            "seed lecture: the test accuracy the lecture (“Overview of Neural Networks”) "
            "published for the same model and data, to two decimals; shown for runs of the "
            "lecture's protocol (nnbench/suites/seed.toml, all of the data) only."
        )
    else:
        note = "The lecture published no numbers for this dataset."
    if any(len(cell.per_seed) > 1 for cell in cells):
        note += f" Values over several seeds are the mean ± the {CI_NAME}; n counts the seeds "
        note += "that ran successfully."
    note += " Times are wall-clock seconds; fit time leaves out the per-epoch evaluation."
    mixed = [
        cell.model
        for cell in cells
        if cell.per_seed[["env_device", "env_cpu"]].drop_duplicates().shape[0] > 1
    ]
    if mixed:
        note += (
            f" The seeds of {', '.join(mixed)} ran on more than one device or processor, so "
            "their times mix machines."
        )
    return note


def plot_name(text: str) -> str:
    """``text`` made safe for a plot's file name, also in LaTeX (no dots before the suffix), and
    unique: a hash of ``text`` is added unless it is safe already (:func:`unique_slug`)."""
    return unique_slug(text, keep="_-")


def figures(
    cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float], labels: Labels
) -> list[Block]:
    """The plots of a dataset's successful cells, and a note for the confusion matrices their
    results lack."""
    name = plot_name(cells[0].dataset)
    blocks: list[Block] = [
        Figure(
            f"{name}-accuracy-vs-fit-time",
            "Test accuracy against fit time; the dashed line is the Pareto front.",
            functools.partial(plots.accuracy_vs_fit_time, cells, labels),
        ),
        Figure(
            f"{name}-learning-curves",
            "Learning curves: test accuracy after each epoch against training time; models "
            "without epochs are single points.",
            functools.partial(plots.learning_curves, cells, labels, tables.epochs, tuple(targets)),
        ),
        Figure(
            f"{name}-per-class",
            "Test accuracy per class and model.",
            functools.partial(plots.per_class_heatmap, cells, labels),
        ),
    ]
    lacking = []
    for cell in cells:
        confusion = cell.select(tables.confusion)
        confusion = confusion[confusion["split"] == "test"]
        if not len(confusion):
            lacking.append(labels[cell])
            continue
        blocks.append(
            Figure(
                f"{name}-confusion-{plot_name(labels[cell])}",
                f"Confusion matrix of {labels[cell]} on the test set.",
                functools.partial(plots.confusion_matrix, cell, labels[cell], confusion),
            )
        )
    if lacking:
        blocks.append(
            Paragraph(
                f"No confusion matrix for {', '.join(lacking)}: the result files predate "
                "nnbench 0.2, which added them. Rerun the cell to get one."
            )
        )
    return blocks


def dataset_blocks(
    cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float], with_plots: bool
) -> list[Block]:
    """One dataset's section: comparison, skips, time to accuracy, plots (``with_plots``) and
    each cell's seed table, or its failure."""
    title = dataset_title(cells[0])
    labels = label_cells(cells)
    succeeded = [cell for cell in cells if cell.succeeded]
    ran = [cell for cell in cells if status_cell(cell) != "skipped"]
    blocks: list[Block] = [Heading(title, 2)]
    if ran:
        blocks.append(TableBlock(comparison_table(cells, labels), f"Comparison on {title}."))
        blocks.append(Paragraph(dataset_note(cells)))
    if skip_list(cells):
        blocks.append(Items(skip_list(cells)))
    if succeeded and targets:
        blocks += [
            Heading("Time to accuracy", 3),
            TableBlock(
                time_to_accuracy_table(succeeded, tables.epochs, targets, labels),
                f"Training time to a target test accuracy on {title}.",
            ),
            Paragraph(
                "Training seconds (evaluation excluded) to the end of the first epoch whose "
                "test accuracy reaches the target; models without epochs count their whole fit "
                "when their final test accuracy reaches it."
            ),
        ]
    if succeeded and with_plots:
        blocks += [Heading("Plots", 3), *figures(succeeded, tables, targets, labels)]
    for cell in ran:
        blocks.append(Heading(seeds_heading(cell, labels[cell]), 3))
        if cell.succeeded:
            caption = f"{labels[cell]} on {title}: accuracy by class."
            blocks.append(TableBlock(seed_table(cell), caption))
        else:
            blocks.append(Paragraph(status_cell(cell)))
    return blocks


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
    "lecture": "float64",
    "text": "string",
}


def summary_rows(
    cell: CellSummary, label: str, tables: Tables, targets: Sequence[float]
) -> list[dict]:
    """The CSV rows of one cell: accuracy per split and class, timings, time to each target."""
    shared = {
        "dataset": cell.dataset,
        "synthetic": cell.synthetic,
        "model": label,
        "seeds": " ".join(map(str, cell.seeds)),
        "status": status_cell(cell),
    }
    rows = []
    for split in ("train", "test") if cell.succeeded else ():
        for name in [ALL, *cell.classes()]:
            rows.append(
                {
                    **shared,
                    "metric": "accuracy",
                    "split": split,
                    "class": name,
                    **estimate_columns(cell.accuracy(split, name)),
                    "lecture": lecture_accuracy(cell) if (split, name) == ("test", ALL) else None,
                }
            )
    for key in ("fit_s", "predict_s"):
        rows.append({**shared, "metric": key, **estimate_columns(cell.timing(key))})
    for target in targets if cell.succeeded else ():
        found = reach(cell, tables.epochs, target)
        rows.append(
            {
                **shared,
                "metric": "time_to_test_accuracy_s",
                "split": "test",
                "class": ALL,
                "target": target,
                **estimate_columns(found.seconds()),
                "text": found.text(),
            }
        )
    return rows


def summary(cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float]) -> pd.DataFrame:
    """One row per (cell, metric, split, class): mean, sd, 95% half-width and n over seeds,
    with the lecture's test accuracy beside the overall test row."""
    rows = []
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        of_dataset = [cell for cell in cells if cell.dataset == dataset]
        labels = label_cells(of_dataset)
        for cell in of_dataset:
            rows += summary_rows(cell, labels[cell], tables, targets)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype(SUMMARY_COLUMNS)


def build_report(tables: Tables, targets: Sequence[float] = (), with_plots: bool = True) -> Report:
    """The report of every result in ``tables``: a section per dataset, then the environment.
    ``targets`` adds time-to-accuracy tables; ``with_plots=False`` leaves the figures out."""
    cells = summarise(tables.classes)
    runs = list(dict.fromkeys(tables.classes["run"]))
    results = len(tables.classes.drop_duplicates(list(SEED_KEY)))
    blocks: list[Block] = [
        Heading("nnbench report", 1),
        Paragraph(f"From {results} result files in {', '.join(runs)}."),
    ]
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        of_dataset = [cell for cell in cells if cell.dataset == dataset]
        blocks += dataset_blocks(of_dataset, tables, targets, with_plots)
    blocks += [
        Heading("Environment", 2),
        TableBlock(environment_table(tables.classes), "The machine and software of the runs."),
    ]
    return Report(blocks, summary(cells, tables, targets))
