"""The sections a study's report can declare: each is a function of the loaded results that
returns blocks. The report's core (:func:`nnbench.report.document.build_report`) renders
whatever sections it is given, in order; it does not know which study it renders.

The sections here serve any run: a comparison per dataset (with a study's published numbers
beside it, when it declares some) and the environment. A study adds its own in its module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nnbench.files import unique_slug
from nnbench.presentation import Labels, label_cells, one_line, status_cell
from nnbench.report import plots
from nnbench.report.blocks import Block, Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.cost_plots import COST_AXES, accuracy_vs_cost
from nnbench.report.selection import choice_lines
from nnbench.report.tables import (
    CI_NAME,
    Published,
    comparison_table,
    dataset_title,
    environment_table,
    per_class_table,
    time_to_accuracy_table,
)
from nnbench.result_tables import Tables
from nnbench.stats import CellSummary

__all__ = [
    "comparisons",
    "environment",
    "per_dataset",
]


@dataclass(frozen=True)
class ReportInput:
    """What every section reads: the result tables, their cells pooled over seeds, the
    time-to-accuracy targets asked for, and whether plots are wanted."""

    tables: Tables
    cells: Sequence[CellSummary]
    targets: Sequence[float] = ()
    with_plots: bool = True

    def by_dataset(self) -> Mapping[str, list[CellSummary]]:
        """The cells of each dataset, in the order they ran."""
        grouped: dict[str, list[CellSummary]] = {}
        for cell in self.cells:
            grouped.setdefault(cell.dataset, []).append(cell)
        return grouped


Section = Callable[[ReportInput], list[Block]]


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


def warning_list(cells: Sequence[CellSummary], labels: Labels) -> list[str]:
    """Each training warning a cell's seeds recorded, with the cell and seed."""
    return [
        f"Warning, {labels[cell]} (seed {row.seed}): {row.warnings}"
        for cell in cells
        for row in cell.per_seed.dropna(subset=["warnings"]).itertuples()
    ]


def seeds_heading(cell: CellSummary, label: str) -> str:
    """``model (seed 0)``, or, over several seeds, what the numbers are."""
    seeds = ", ".join(str(seed) for seed in cell.seeds)
    if len(cell.per_seed) == 1:
        return f"{label} (seed {seeds})"
    return f"{label} (seeds {seeds}: mean ± {CI_NAME})"


def dataset_note(cells: Sequence[CellSummary], published: Published | None) -> str:
    """What the comparison's numbers are: synthetic data, the published column, seeds, and
    cells whose seeds ran on different machines."""
    dataset = cells[0].dataset
    if cells[0].synthetic:
        note = (
            f"SYNTHETIC data: {dataset} is a generated stand-in, not real images, so these "
            f"numbers say nothing about real data"
        )
        note += f" and the {published.source} has none to compare." if published else "."
    elif published is not None:
        note = published.note if published.covers(cells[0]) else published.none_note
    else:
        note = ""
    note += (
        " Test accuracy is the mean over the seeds that ran successfully; its 95% interval is "
        "Wilson's over the test images for one seed, and the t-interval over seeds for two or "
        "more (the column says which)."
    )
    if any(len(cell.per_seed) > 1 for cell in cells):
        note += f" Other values over several seeds are the mean ± the {CI_NAME}."
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
    return note.strip()


def plot_name(text: str) -> str:
    """``text`` made safe for a plot's file name, also in LaTeX (no dots before the suffix), and
    unique: a hash of ``text`` is added unless it is safe already (:func:`unique_slug`)."""
    return unique_slug(text, keep="_-")


def cost_figures(cells: Sequence[CellSummary], labels: Labels, name: str) -> list[Figure]:
    """Test accuracy against each cost some of ``cells`` recorded, as figures ``name-KIND``."""
    return [
        Figure(
            f"{name}-{axis.kind}",
            f"Test accuracy against {axis.name}; the dashed line is the Pareto front.",
            functools.partial(accuracy_vs_cost, cells, labels, axis),
        )
        for axis in COST_AXES
        if any(cell.timing(axis.column) is not None for cell in cells)
    ]


def figures(
    cells: Sequence[CellSummary], tables: Tables, targets: Sequence[float], labels: Labels
) -> list[Block]:
    """The plots of a dataset's successful cells (test accuracy against each cost some of them
    recorded, learning curves, per class, confusion), and a note for the confusion matrices
    their results lack."""
    name = plot_name(cells[0].dataset)
    blocks: list[Block] = [*cost_figures(cells, labels, name)]
    blocks += [
        Figure(
            f"{name}-learning-curves",
            f"Learning curves: {watched_name(cells)} accuracy after each epoch against training "
            "time; models without epochs are single points.",
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


def time_to_accuracy_blocks(
    cells: Sequence[CellSummary], given: ReportInput, title: str, labels: Labels
) -> list[Block]:
    """The time-to-accuracy table of the successful cells, for the targets asked for."""
    watched = watched_name(cells)
    return [
        Heading("Time to accuracy", 3),
        TableBlock(
            time_to_accuracy_table(cells, given.tables.epochs, given.targets, labels),
            f"Training time to a target {watched} accuracy on {title}.",
        ),
        Paragraph(
            f"Training seconds (evaluation excluded) to the end of the first epoch whose "
            f"{watched} accuracy reaches the target; models without epochs count their whole "
            f"fit when their final {watched} accuracy reaches it."
        ),
    ]


def watched_name(cells: Sequence[CellSummary]) -> str:
    """What the cells' choices read, in words: "validation", "test", or both."""
    found = {cell.watched for cell in cells}
    if len(found) == 1:
        return found.pop()
    return "validation (test, for the cells without a hold-out)"


def dataset_blocks(
    cells: Sequence[CellSummary], given: ReportInput, published: Published | None
) -> list[Block]:
    """One dataset's section: comparison, skips, time to accuracy, plots and each cell's
    per-class table, or its failure."""
    title = dataset_title(cells[0])
    labels = label_cells(cells)
    succeeded = [cell for cell in cells if cell.succeeded]
    ran = [cell for cell in cells if status_cell(cell) != "skipped"]
    blocks: list[Block] = [Heading(title, 2)]
    if ran:
        table = comparison_table(cells, labels, published)
        blocks += [
            TableBlock(table, f"Comparison on {title}."),
            Paragraph(dataset_note(cells, published)),
        ]
    choices = choice_lines(cells, labels, given.tables.scores)
    if choices:
        blocks.append(Items(choices))
    if skip_list(cells):
        blocks.append(Items(skip_list(cells)))
    if warning_list(cells, labels):
        blocks.append(Items(warning_list(cells, labels)))
    if succeeded and given.targets:
        blocks += time_to_accuracy_blocks(succeeded, given, title, labels)
    if succeeded and given.with_plots:
        blocks += [Heading("Plots", 3), *figures(succeeded, given.tables, given.targets, labels)]
    for cell in ran:
        blocks.append(Heading(seeds_heading(cell, labels[cell]), 3))
        if cell.succeeded:
            caption = f"{labels[cell]} on {title}: accuracy by class."
            blocks.append(TableBlock(per_class_table(cell), caption))
        else:
            blocks.append(Paragraph(status_cell(cell)))
    return blocks


def per_dataset(blocks_of: Callable[[Sequence[CellSummary], ReportInput], list[Block]]) -> Section:
    """A section made of ``blocks_of(cells, given)`` for each dataset's cells in turn."""

    def section(given: ReportInput) -> list[Block]:
        return [block for cells in given.by_dataset().values() for block in blocks_of(cells, given)]

    return section


def comparisons(published: Published | None = None) -> Section:
    """A section per dataset: the comparison of every cell, with ``published`` numbers beside
    them where they apply, then time to accuracy, plots, and per-class tables."""
    return per_dataset(lambda cells, given: dataset_blocks(cells, given, published))


def environment(given: ReportInput) -> list[Block]:
    """The machine and software of the runs."""
    return [
        Heading("Environment", 2),
        TableBlock(
            environment_table(given.tables.classes), "The machine and software of the runs."
        ),
    ]
