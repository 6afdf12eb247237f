"""The report's metrics beyond accuracy: a table per dataset of every metric its cells
recorded (:mod:`nnbench.scores`), and a reliability diagram of the models that give class
probabilities."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from nnbench.presentation import Labels, Table, fmt, label_cells
from nnbench.report.blocks import Block, Figure, Heading, Paragraph, TableBlock
from nnbench.report.evidence_plots import reliability
from nnbench.report.sections import ReportInput, plot_name
from nnbench.report.tables import dataset_title
from nnbench.results import stored_predictions
from nnbench.scores import ECE_BINS, METRICS
from nnbench.sidecars import Predictions
from nnbench.stats import CellSummary

NOTE = (
    "Test-set metrics; over several seeds, the mean ± the half-width of the 95% t-interval. "
    "Higher is better for accuracy, balanced accuracy (the mean of the per-class accuracies), "
    "macro-F1, top-2 accuracy and ROC-AUC; lower is better for log-loss, the Brier score (the "
    "mean over images of the squared distance between the probabilities and the one-hot "
    f"truth, 0 to 2) and ECE (expected calibration error: {ECE_BINS} equal-width bins of the "
    "top probability, the gap between accuracy and mean probability weighted by the bin's "
    "share of images). A dash: the model gives no class probabilities, or the metric does not "
    "apply to this number of classes."
)


def metrics_table(cells: Sequence[CellSummary], given: ReportInput, labels: Labels) -> Table:
    """One row per successful cell, one column per metric any of them recorded."""
    found = {
        cell: {name: cell.score(given.tables.scores, name) for name in METRICS} for cell in cells
    }
    shown = [name for name in METRICS if any(found[cell][name] for cell in cells)]
    rows = [[labels[cell], *(fmt(found[cell][name], ".4f") for name in shown)] for cell in cells]
    return Table(["model", *(METRICS[name].label for name in shown)], rows, "l" + "r" * len(shown))


def probabilities_of(cell: CellSummary) -> list[Predictions]:
    """The stored predictions with class probabilities of the cell's successful seeds."""
    stored = (stored_predictions(row) for _, row in cell.with_status("ok").iterrows())
    return [found for found in stored if found is not None and found.probabilities is not None]


def dataset_scores(cells: Sequence[CellSummary], given: ReportInput) -> list[Block]:
    """One dataset's metrics table and reliability diagram."""
    succeeded = [cell for cell in cells if cell.succeeded]
    if not succeeded:
        return []
    labels = label_cells(cells)
    title = dataset_title(cells[0])
    blocks: list[Block] = [
        Heading(f"Metrics on {title}", 3),
        TableBlock(metrics_table(succeeded, given, labels), f"Test-set metrics on {title}."),
    ]
    calibrated = [(cell, probabilities_of(cell)) for cell in succeeded]
    calibrated = [(cell, stored) for cell, stored in calibrated if stored]
    if given.with_plots and calibrated:
        blocks.append(
            Figure(
                f"{plot_name(cells[0].dataset)}-reliability",
                "Reliability diagram: accuracy against the mean top-class probability; the "
                "dashed diagonal is perfect calibration.",
                functools.partial(
                    reliability,
                    [cell for cell, _ in calibrated],
                    labels,
                    [stored for _, stored in calibrated],
                ),
            )
        )
    return blocks


def metrics(given: ReportInput) -> list[Block]:
    """The section of metrics beyond accuracy, a table (and diagram) per dataset."""
    blocks = [
        block for cells in given.by_dataset().values() for block in dataset_scores(cells, given)
    ]
    return [Heading("Metrics beyond accuracy", 2), Paragraph(NOTE), *blocks] if blocks else []
