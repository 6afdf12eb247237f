"""The report's plots, drawn with matplotlib's Agg canvas (no display, no pyplot state).

Each function returns a :class:`matplotlib.figure.Figure` of a fixed size (:data:`SIZES`, in
inches, at :data:`DPI`), which :func:`render` turns into PNG and SVG bytes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnbench.presentation import Labels
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary

DPI = 100
#: figure size in inches by kind of plot; pixels are these times DPI
SIZES = {
    "accuracy-vs-fit-time": (8.0, 5.0),
    "accuracy-vs-latency": (8.0, 5.0),
    "accuracy-vs-memory": (8.0, 5.0),
    "learning-curves": (8.0, 5.0),
    "per-class": (8.0, 4.5),
    "confusion": (6.0, 5.5),
    "reliability": (6.5, 5.5),
    "critical-difference": (8.0, 3.5),
}
#: the longest model label a plot shows whole; a longer one (a file reference's path) keeps
#: its end, where the file and the model's name are
LONGEST_LABEL = 48


def plot_labels(labels: Labels) -> Labels:
    """The labels as plots show them: each cut to its last :data:`LONGEST_LABEL` characters,
    so that a long path does not crowd out the axes."""
    return {
        cell: label if len(label) <= LONGEST_LABEL else "…" + label[1 - LONGEST_LABEL :]
        for cell, label in labels.items()
    }


def render(figure: Figure) -> dict[str, bytes]:
    """The figure as PNG and SVG bytes, with no date, version or random ids in them, so that
    equal plots are equal files."""
    images = {}
    for kind, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        buffer = io.BytesIO()
        with rc_context({"svg.hashsalt": "nnbench"}):
            figure.savefig(buffer, format=kind, dpi=DPI, metadata=metadata)
        images[kind] = buffer.getvalue()
    return images


def new_figure(kind: str, title: str) -> tuple[Figure, Axes]:
    """A figure of ``kind``'s size with one axes, titled on as many lines as it needs."""
    figure = Figure(figsize=SIZES[kind], dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("\n".join(textwrap.wrap(title, width=round(SIZES[kind][0] * 9))), fontsize=11)
    return figure, axes


def learning_curves(
    cells: Sequence[CellSummary],
    labels: Labels,
    epochs: pd.DataFrame,
    targets: Sequence[float] = (),
) -> Figure:
    """Accuracy on the split the cells watch (validation for a cell with a hold-out, else
    test) against training time per epoch (the mean over seeds) for models that train in
    epochs; models without epochs are single points at their fit time."""
    splits = sorted({cell.watched for cell in cells})
    watched = " or ".join(splits)
    title = f"{dataset_title(cells[0])}: {watched} accuracy against training time"
    figure, axes = new_figure("learning-curves", title)
    labels = plot_labels(labels)
    for index, cell in enumerate(cells):
        column = f"{cell.watched}_accuracy"
        histories = cell.select(epochs).dropna(subset=[column])
        if len(histories):
            curve = histories.groupby("epoch")[["elapsed_s", column]].mean()
            axes.plot(
                curve["elapsed_s"],
                curve[column],
                marker="o",
                color=f"C{index}",
                label=f"{labels[cell]} (one point per epoch)",
            )
        elif (fit := cell.timing("fit_s")) is not None and (
            accuracy := cell.accuracy(cell.watched)
        ) is not None:
            axes.plot(
                fit.mean,
                accuracy.mean,
                marker="D",
                markersize=8,
                linestyle="none",
                color=f"C{index}",
                label=f"{labels[cell]} (no epochs: whole fit)",
            )
    for target in targets:
        axes.axhline(target, color="0.3", linestyle=":", linewidth=1)
        axes.annotate(
            f"target {target:g}",
            (0.01, target),
            xycoords=("axes fraction", "data"),
            textcoords="offset points",
            xytext=(0, 3),
            fontsize=8,
        )
    axes.set_xscale("log")
    axes.set_xlabel("training time, s (log scale; evaluation excluded)")
    axes.set_ylabel(f"{watched} accuracy")
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure


def annotate_cells(axes: Axes, values: np.ndarray, texts: np.ndarray, shade: np.ndarray) -> None:
    """Write each cell's text over a heatmap, dark on light cells and light on dark ones."""
    if values.shape[0] * values.shape[1] > 400:
        return  # too many to read; the colours carry it
    for (row, column), text in np.ndenumerate(texts):
        colour = "black" if shade[row, column] > 0.6 else "white"
        axes.text(column, row, text, ha="center", va="center", fontsize=8, color=colour)


def per_class_heatmap(cells: Sequence[CellSummary], labels: Labels) -> Figure:
    """Mean test accuracy by model (rows) and class (columns)."""
    figure, axes = new_figure("per-class", f"{dataset_title(cells[0])}: test accuracy per class")
    labels = plot_labels(labels)
    classes = cells[0].classes()
    means = [[cell.accuracy("test", name) for name in classes] for cell in cells]
    values = np.array([[np.nan if e is None else e.mean for e in row] for row in means])
    low = min(float(np.nanmin(values)) if np.isfinite(values).any() else 0.0, 0.99)
    image = axes.imshow(values, cmap="viridis", vmin=low, vmax=1.0, aspect="auto")
    texts = np.vectorize(lambda v: "–" if np.isnan(v) else f"{v:.2f}")(values)
    annotate_cells(axes, values, texts, np.nan_to_num((values - low) / (1.0 - low), nan=1.0))
    axes.set_xticks(range(len(classes)), classes)
    axes.set_yticks(range(len(cells)), [labels[cell] for cell in cells])
    axes.set_xlabel("class")
    figure.colorbar(image, ax=axes, label="test accuracy")
    return figure


def confusion_counts(confusion: pd.DataFrame, classes: Sequence[str]) -> tuple[np.ndarray, int]:
    """The confusion matrix (true classes by rows, predicted by columns, in ``classes``' order)
    as the mean count per seed, and the number of seeds."""
    seeds = len(confusion[["run", "seed"]].drop_duplicates())
    counts = (
        confusion.groupby(["true_class", "predicted_class"])["count"]
        .sum()
        .unstack()
        .reindex(index=list(classes), columns=list(classes))
        .fillna(0)
        .to_numpy(dtype=float)
    )
    return counts / seeds, seeds


def confusion_matrix(cell: CellSummary, label: str, confusion: pd.DataFrame) -> Figure:
    """The test-set confusion matrix: counts (the mean per seed over several), coloured by the
    share of each true class."""
    classes = cell.classes()
    counts, seeds = confusion_counts(confusion, classes)
    over = f", mean of {seeds} seeds" if seeds > 1 else ""
    title = f"{dataset_title(cell)}: {label} confusion matrix (test set{over})"
    figure, axes = new_figure("confusion", title)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    spec = "{:.0f}" if seeds == 1 else "{:.1f}"
    annotate_cells(axes, counts, np.vectorize(spec.format)(counts), 1 - shares)
    axes.set_xticks(range(len(classes)), classes)
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    figure.colorbar(image, ax=axes, label="share of the true class")
    return figure
