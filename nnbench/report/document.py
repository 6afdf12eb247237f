"""The report as a list of blocks (headings, paragraphs, tables, figures), built once from the
tables of :func:`nnbench.results.load_tables` and rendered by :mod:`nnbench.report.render`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure as MatplotlibFigure

from nnbench.files import slug
from nnbench.report import plots
from nnbench.report.tables import (
    CI_NAME,
    Table,
    comparison_table,
    environment_table,
    label_cells,
    lecture_numbers,
    one_line,
    seed_table,
    status_cell,
    time_to_accuracy_cell,
    time_to_accuracy_table,
)
from nnbench.results import ALL, Tables
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
    """What the comparison's numbers are: synthetic data, the lecture's column, seeds."""
    dataset = cells[0].dataset
    if cells[0].synthetic:
        note = (
            f"SYNTHETIC data: {dataset} is a generated stand-in, not real images, so these "
            "numbers say nothing about real data and the lecture has none to compare."
        )
    elif dataset in lecture_numbers():
        note = (
            "seed lecture: the test accuracy the lecture (“Overview of Neural Networks”) "
            "published for the same model and data, to two decimals."
        )
    else:
        note = "The lecture published no numbers for this dataset."
    if any(len(cell.per_seed) > 1 for cell in cells):
        note += f" Values over several seeds are the mean ± the {CI_NAME}; n counts the seeds "
        note += "that ran successfully."
    return note + " Times are wall-clock seconds; fit time leaves out the per-epoch evaluation."


def plot_name(text: str) -> str:
    """``text`` made safe for a plot's file name, also in LaTeX (no dots before the suffix)."""
    return slug(text).replace(".", "-")


def figures(cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float]) -> list[Block]:
    """The dataset's plots, and a note for each confusion matrix its results lack."""
    ran = [cell for cell in cells if len(cell.with_status("ok"))]
    name = plot_name(cells[0].dataset)
    blocks: list[Block] = [
        Figure(
            f"{name}-accuracy-vs-fit-time",
            "Test accuracy against fit time; the dashed line is the Pareto front.",
            functools.partial(plots.accuracy_vs_fit_time, ran),
        ),
        Figure(
            f"{name}-learning-curves",
            "Learning curves: test accuracy after each epoch against training time; models "
            "without epochs are single points.",
            functools.partial(plots.learning_curves, ran, tables.epochs, tuple(targets)),
        ),
        Figure(
            f"{name}-per-class",
            "Test accuracy per class and model.",
            functools.partial(plots.per_class_heatmap, ran),
        ),
    ]
    labels = label_cells(ran)
    lacking = []
    for index, cell in enumerate(ran):
        confusion = tables.confusion[
            (tables.confusion["protocol"] == cell.rows["protocol"].iloc[0])
            & (tables.confusion["dataset"] == cell.dataset)
            & (tables.confusion["model"] == cell.model)
            & (tables.confusion["split"] == "test")
        ]
        if not len(confusion):
            lacking.append(labels[index])
            continue
        blocks.append(
            Figure(
                f"{name}-confusion-{plot_name(labels[index])}",
                f"Confusion matrix of {labels[index]} on the test set.",
                functools.partial(plots.confusion_matrix, cell, labels[index], confusion),
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
    cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float], plots: bool
) -> list[Block]:
    """One dataset's section: comparison, skips, time to accuracy, plots (when ``plots``) and
    seed tables."""
    dataset = cells[0].dataset
    synthetic = " (synthetic data)" if cells[0].synthetic else ""
    ran = [cell for cell in cells if status_cell(cell) != "skipped"]
    blocks: list[Block] = [Heading(f"{dataset}{synthetic}", 2)]
    if ran:
        blocks.append(TableBlock(comparison_table(cells), f"Comparison on {dataset}{synthetic}."))
        blocks.append(Paragraph(dataset_note(cells)))
    if skip_list(cells):
        blocks.append(Items(skip_list(cells)))
    succeeded = [cell for cell in cells if len(cell.with_status("ok"))]
    if not succeeded:
        return blocks
    if targets:
        blocks += [
            Heading("Time to accuracy", 3),
            TableBlock(
                time_to_accuracy_table(succeeded, tables.epochs, targets),
                f"Training time to a target test accuracy on {dataset}{synthetic}.",
            ),
            Paragraph(
                "Training seconds (evaluation excluded) to the end of the first epoch whose "
                "test accuracy reaches the target; models without epochs count their whole fit "
                "when their final test accuracy reaches it."
            ),
        ]
    if plots:
        blocks += [Heading("Plots", 3), *figures(cells, tables, targets)]
    labels = label_cells(cells)
    for index, cell in enumerate(cells):
        heading = Heading(seeds_heading(cell, labels[index]), 3)
        if len(cell.with_status("ok")):
            caption = f"{labels[index]} on {dataset}{synthetic}: accuracy by class."
            blocks += [heading, TableBlock(seed_table(cell), caption)]
        elif status_cell(cell) != "skipped":
            blocks += [heading, Paragraph(status_cell(cell))]
    return blocks


def estimate_row(estimate: Estimate | None) -> dict[str, float | int | None]:
    """The numbers of an estimate as CSV columns."""
    if estimate is None:
        return {"mean": None, "sd": None, "ci95_half_width": None, "n": 0}
    return {
        "mean": estimate.mean,
        "sd": estimate.sd,
        "ci95_half_width": estimate.half_width,
        "n": estimate.n,
    }


def summary(cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float]) -> pd.DataFrame:
    """One row per (cell, metric, split, class): mean, sd, 95% half-width and n over seeds,
    with the lecture's test accuracy beside the overall test row."""
    rows = []
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        of_dataset = [cell for cell in cells if cell.dataset == dataset]
        labels = label_cells(of_dataset)
        for index, cell in enumerate(of_dataset):
            lecture = {} if cell.synthetic else lecture_numbers().get(dataset, {})
            shared = {
                "dataset": dataset,
                "synthetic": cell.synthetic,
                "model": labels[index],
                "seeds": " ".join(map(str, cell.seeds)),
                "status": status_cell(cell),
            }
            for split in ("train", "test"):
                for name in [ALL, *cell.classes()] if len(cell.with_status("ok")) else []:
                    reference = lecture.get(cell.model) if (split, name) == ("test", ALL) else None
                    rows.append(
                        {
                            **shared,
                            "metric": "accuracy",
                            "split": split,
                            "class": name,
                            **estimate_row(cell.accuracy(split, name)),
                            "lecture": reference,
                        }
                    )
            for key in ("fit_s", "predict_s"):
                rows.append({**shared, "metric": key, **estimate_row(cell.timing(key))})
            for target in targets if len(cell.with_status("ok")) else []:
                rows.append(
                    {
                        **shared,
                        "metric": f"time_to_test_accuracy_{target:g}",
                        "text": time_to_accuracy_cell(cell, tables.epochs, target),
                    }
                )
    columns = [
        "dataset",
        "synthetic",
        "model",
        "seeds",
        "status",
        "metric",
        "split",
        "class",
        "mean",
        "sd",
        "ci95_half_width",
        "n",
        "lecture",
        "text",
    ]
    return pd.DataFrame(rows, columns=columns)


def build_report(tables: Tables, targets: Sequence[float] = (), plots: bool = True) -> Report:
    """The report of every result in ``tables``: a section per dataset, then the environment.
    ``targets`` adds time-to-accuracy tables; ``plots=False`` leaves the figures out."""
    cells = summarise(tables.classes)
    runs = list(dict.fromkeys(tables.classes["run"]))
    results = len(tables.classes.drop_duplicates(["run", "dataset", "model", "protocol", "seed"]))
    blocks: list[Block] = [
        Heading("nnbench report", 1),
        Paragraph(f"From {results} result files in {', '.join(runs)}."),
    ]
    for dataset in dict.fromkeys(cell.dataset for cell in cells):
        of_dataset = [cell for cell in cells if cell.dataset == dataset]
        blocks += dataset_blocks(of_dataset, tables, targets, plots)
    blocks += [
        Heading("Environment", 2),
        TableBlock(environment_table(tables.classes), "The machine and software of the runs."),
    ]
    return Report(blocks, summary(cells, tables, targets))
