"""Test accuracy against what a model costs (fit time, single-image latency, peak memory),
one plot per cost, with the Pareto front of the models nothing beats on both counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from nnbench.presentation import Labels
from nnbench.report.plots import new_figure, plot_labels
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary, Estimate

CI_LEGEND = "bars: 95% t-interval over seeds"


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both counts (less cost, more accuracy),
    cheapest first."""
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


@dataclass(frozen=True)
class CostAxis:
    """What a plot of test accuracy against a cost puts on its x-axis: the ``column`` of
    :func:`nnbench.results.load` (its mean over the successful seeds, times ``scale``), named
    ``name`` in the title and ``label`` under the axis; ``front`` says what the Pareto front's
    filled points are. ``kind`` is the plot's size in :data:`SIZES` and the end of its file
    name; ``log`` puts the axis on a log scale."""

    kind: str
    column: str
    name: str
    label: str
    front: str
    scale: float = 1.0
    log: bool = True


FIT_TIME = CostAxis(
    "accuracy-vs-fit-time",
    "fit_s",
    "fit time",
    "fit time, s (log scale)",
    "nothing is faster and more accurate",
)
LATENCY = CostAxis(
    "accuracy-vs-latency",
    "latency_p50_s",
    "single-image latency (p50)",
    "latency of one image, median, ms (log scale)",
    "nothing is quicker and more accurate",
    scale=1e3,
)
MEMORY = CostAxis(
    "accuracy-vs-memory",
    "peak_rss_bytes",
    "peak memory",
    "peak resident memory above the cell's start, MB (1,000,000 bytes)",
    "nothing is leaner and more accurate",
    scale=1e-6,
    log=False,
)
#: the costs the report plots test accuracy against, in order
COST_AXES = (FIT_TIME, LATENCY, MEMORY)


def accuracy_vs_cost(cells: Sequence[CellSummary], labels: Labels, axis: CostAxis) -> Figure:
    """Test accuracy against a cost (``axis``), one point per model with error bars over
    seeds; the Pareto front is joined and filled. Cells without the cost are left out, and
    named under the axis."""
    title = f"{dataset_title(cells[0])}: test accuracy against {axis.name}"
    figure, axes = new_figure(axis.kind, title)
    labels = plot_labels(labels)
    costs = {cell: cell.timing(axis.column) for cell in cells}
    shown = [
        (index, labels[cell], cost, accuracy)
        for index, cell in enumerate(cells)
        if (cost := costs[cell]) is not None and (accuracy := cell.accuracy("test")) is not None
    ]
    points = [(cost.mean * axis.scale, accuracy.mean) for _, _, cost, accuracy in shown]
    front = pareto_front(points)
    for position, (index, label, cost, accuracy) in enumerate(shown):
        axes.errorbar(
            cost.mean * axis.scale,
            accuracy.mean,
            xerr=half_width(cost) * axis.scale,
            yerr=half_width(accuracy),
            fmt="o",
            markersize=8,
            capsize=4,
            color=f"C{index}",
            markerfacecolor=f"C{index}" if position in front else "white",
        )
        axes.annotate(label, points[position], textcoords="offset points", xytext=(8, -12))
    front_points = np.array([points[index] for index in front]).reshape(-1, 2)
    axes.plot(
        front_points[:, 0],
        front_points[:, 1],
        drawstyle="steps-post",
        color="0.4",
        linestyle="--",
        zorder=0,
        label=f"Pareto front (filled: {axis.front})",
    )
    axes.set_xscale("log" if axis.log else "linear")
    lacking = [labels[cell] for cell in cells if costs[cell] is None]
    note = f"\nnot shown, no {axis.name} recorded: {', '.join(lacking)}" if lacking else ""
    axes.set_xlabel(axis.label + note)
    axes.set_ylabel("test accuracy")
    several = any(accuracy.n > 1 for _, _, _, accuracy in shown)
    legend_title = CI_LEGEND if several else "one seed each: no interval"
    axes.legend(loc="lower right", fontsize=8, title=legend_title, title_fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure
