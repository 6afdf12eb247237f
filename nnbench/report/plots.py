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
from matplotlib.figure import Figure

from nnbench.report.tables import label_cells, seed_epochs
from nnbench.stats import CellSummary, Estimate

DPI = 100
#: figure size in inches by kind of plot; pixels are these times DPI
SIZES = {
    "accuracy-vs-fit-time": (8.0, 5.0),
    "learning-curves": (8.0, 5.0),
    "per-class": (8.0, 4.5),
    "confusion": (6.0, 5.5),
}
CI_LEGEND = "bars: 95% t-interval over seeds"


def render(figure: Figure) -> dict[str, bytes]:
    """The figure as PNG and SVG bytes; the SVG carries no date, so equal plots are equal files."""
    images = {}
    for kind, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=kind, dpi=DPI, metadata=metadata)
        images[kind] = buffer.getvalue()
    return images


def new_figure(kind: str, title: str) -> tuple[Figure, object]:
    """A figure of ``kind``'s size with one axes, titled on as many lines as it needs."""
    figure = Figure(figsize=SIZES[kind], dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("\n".join(textwrap.wrap(title, width=round(SIZES[kind][0] * 9))), fontsize=11)
    return figure, axes


def titled(cells: Sequence[CellSummary], what: str) -> str:
    """``<dataset>: <what>``, marked when the data are synthetic."""
    synthetic = " (synthetic data)" if cells[0].synthetic else ""
    return f"{cells[0].dataset}{synthetic}: {what}"


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both counts (less time, more accuracy),
    fastest first."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front, best = [], -np.inf
    for index in order:
        if points[index][1] > best:
            front.append(index)
            best = points[index][1]
    return front


def half_width(value: Estimate) -> float:
    """The error bar of an estimate: its half-width, or 0 for one seed."""
    return value.half_width or 0.0


def accuracy_vs_fit_time(cells: Sequence[CellSummary]) -> Figure:
    """Test accuracy against fit time (log scale), one point per model with error bars over
    seeds; the Pareto front is joined and filled."""
    figure, axes = new_figure(
        "accuracy-vs-fit-time", titled(cells, "test accuracy against fit time")
    )
    labels = label_cells(cells)
    shown = [
        (labels[index], cell.timing("fit_s"), cell.accuracy("test"))
        for index, cell in enumerate(cells)
        if cell.timing("fit_s") is not None and cell.accuracy("test") is not None
    ]
    points = [(time.mean, accuracy.mean) for _, time, accuracy in shown]
    front = pareto_front(points)
    for index, (label, time, accuracy) in enumerate(shown):
        on_front = index in front
        axes.errorbar(
            time.mean,
            accuracy.mean,
            xerr=half_width(time),
            yerr=half_width(accuracy),
            fmt="o",
            markersize=8,
            capsize=4,
            color=f"C{index}",
            markerfacecolor=f"C{index}" if on_front else "white",
        )
        axes.annotate(
            label, (time.mean, accuracy.mean), textcoords="offset points", xytext=(8, -12)
        )
    front_points = np.array([points[index] for index in front]).reshape(-1, 2)
    axes.plot(
        front_points[:, 0],
        front_points[:, 1],
        drawstyle="steps-post",
        color="0.4",
        linestyle="--",
        zorder=0,
        label="Pareto front (filled: nothing is faster and more accurate)",
    )
    axes.set_xscale("log")
    axes.set_xlabel("fit time, s (log scale)")
    axes.set_ylabel("test accuracy")
    axes.legend(loc="lower right", fontsize=8, title=CI_LEGEND, title_fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure


def learning_curves(
    cells: Sequence[CellSummary], epochs: pd.DataFrame, targets: Sequence[float] = ()
) -> Figure:
    """Test accuracy against training time per epoch (the mean over seeds) for models that
    train in epochs; models without epochs are single points at their fit time."""
    figure, axes = new_figure(
        "learning-curves", titled(cells, "test accuracy against training time")
    )
    labels = label_cells(cells)
    for index, cell in enumerate(cells):
        ok = cell.with_status("ok")
        histories = pd.concat(
            [seed_epochs(epochs, cell, row.run, row.seed) for row in ok.itertuples()]
        ).dropna(subset=["test_accuracy"])
        if len(histories):
            curve = histories.groupby("epoch")[["elapsed_s", "test_accuracy"]].mean()
            axes.plot(
                curve["elapsed_s"],
                curve["test_accuracy"],
                marker="o",
                color=f"C{index}",
                label=f"{labels[index]} (one point per epoch)",
            )
        elif cell.timing("fit_s") is not None and cell.accuracy("test") is not None:
            axes.plot(
                cell.timing("fit_s").mean,
                cell.accuracy("test").mean,
                marker="D",
                markersize=8,
                linestyle="none",
                color=f"C{index}",
                label=f"{labels[index]} (no epochs: whole fit)",
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
    axes.set_ylabel("test accuracy")
    axes.legend(loc="lower right", fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure


def annotate_cells(axes, values: np.ndarray, texts: np.ndarray, shade: np.ndarray) -> None:
    """Write each cell's text over a heatmap, dark on light cells and light on dark ones."""
    if values.shape[0] * values.shape[1] > 400:
        return  # too many to read; the colours carry it
    for (row, column), text in np.ndenumerate(texts):
        colour = "black" if shade[row, column] > 0.6 else "white"
        axes.text(column, row, text, ha="center", va="center", fontsize=8, color=colour)


def per_class_heatmap(cells: Sequence[CellSummary]) -> Figure:
    """Mean test accuracy by model (rows) and class (columns)."""
    figure, axes = new_figure("per-class", titled(cells, "test accuracy per class"))
    labels = label_cells(cells)
    shown = [index for index, cell in enumerate(cells) if len(cell.with_status("ok"))]
    classes = cells[shown[0]].classes()
    values = np.array(
        [
            [
                np.nan if (e := cells[i].accuracy("test", name)) is None else e.mean
                for name in classes
            ]
            for i in shown
        ]
    )
    low = float(np.nanmin(values)) if np.isfinite(values).any() else 0.0
    image = axes.imshow(values, cmap="viridis", vmin=min(low, 0.99), vmax=1.0, aspect="auto")
    shade = (values - min(low, 0.99)) / max(1.0 - min(low, 0.99), 1e-9)
    texts = np.vectorize(lambda v: "–" if np.isnan(v) else f"{v:.2f}")(values)
    annotate_cells(axes, values, texts, np.nan_to_num(shade, nan=1.0))
    axes.set_xticks(range(len(classes)), classes)
    axes.set_yticks(range(len(shown)), [labels[i] for i in shown])
    axes.set_xlabel("class")
    figure.colorbar(image, ax=axes, label="test accuracy")
    return figure


def confusion_matrix(cell: CellSummary, label: str, confusion: pd.DataFrame) -> Figure:
    """The test-set confusion matrix: counts (the mean per seed over several), coloured by the
    share of each true class."""
    seeds = confusion["seed"].nunique()
    over = f", mean of {seeds} seeds" if seeds > 1 else ""
    figure, axes = new_figure(
        "confusion", titled([cell], f"{label} confusion matrix (test set{over})")
    )
    classes = cell.classes()
    counts = (
        confusion.groupby(["true_class", "predicted_class"])["count"]
        .sum()
        .div(seeds)
        .unstack()
        .reindex(index=classes, columns=classes)
        .fillna(0)
        .to_numpy()
    )
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    spec = "{:.0f}" if seeds == 1 else "{:.1f}"
    texts = np.vectorize(spec.format)(counts)
    annotate_cells(axes, counts, texts, 1 - shares)
    axes.set_xticks(range(len(classes)), classes)
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    figure.colorbar(image, ax=axes, label="share of the true class")
    return figure
