"""The plots of the evidence: a reliability (calibration) diagram per dataset, from the stored
class probabilities, and the critical-difference diagram of ranks across datasets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnbench.presentation import Labels
from nnbench.report.plots import new_figure, plot_labels
from nnbench.report.tables import dataset_title
from nnbench.scores import ECE_BINS, reliability_bins
from nnbench.sidecars import Predictions
from nnbench.stats import CellSummary
from nnbench.stats.ranks import RankTest, groups_not_different


def reliability(
    cells: Sequence[CellSummary], labels: Labels, stored: Sequence[Sequence[Predictions]]
) -> Figure:
    """Accuracy against mean top-class probability in :data:`~nnbench.scores.ECE_BINS`
    equal-width bins, one line per model (its seeds' test images pooled); the diagonal is
    perfect calibration."""
    title = f"{dataset_title(cells[0])}: reliability of the predicted probabilities"
    figure, axes = new_figure("reliability", title)
    labels = plot_labels(labels)
    axes.plot([0, 1], [0, 1], color="0.5", linestyle="--", label="perfectly calibrated")
    for index, (cell, predictions) in enumerate(zip(cells, stored, strict=True)):
        truth = np.concatenate([p.truth for p in predictions])
        probabilities = np.concatenate(
            [p.probabilities for p in predictions if p.probabilities is not None]
        )
        bins = [b for b in reliability_bins(truth, probabilities) if b.count]
        axes.plot(
            [float(b.confidence or 0) for b in bins],  # a bin with images has both
            [float(b.accuracy or 0) for b in bins],
            marker="o",
            color=f"C{index}",
            label=labels[cell],
        )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel(f"mean top-class probability ({ECE_BINS} equal-width bins)")
    axes.set_ylabel("accuracy in the bin")
    axes.legend(loc="upper left", fontsize=8)
    axes.grid(True, alpha=0.3)
    return figure


def critical_difference(test: RankTest) -> Figure:
    """Each model at its mean rank on one axis (1 = best, at the left), the critical
    difference as a scale bar, and a bar under each group of models not shown to differ."""
    figure, axes = new_figure("critical-difference", "Mean ranks across datasets")
    k = len(test.models)
    order = sorted(zip(test.mean_ranks, test.models, strict=True))
    axes.set_xlim(1, k)
    axes.set_ylim(-len(order) - 1, 2)
    axes.axhline(0, color="black", linewidth=1)
    for position, (rank, model) in enumerate(order, 1):
        axes.plot([rank, rank], [0, -position], color="black", linewidth=0.8)
        axes.annotate(
            f"{model} ({rank:.2f})",
            (rank, -position),
            xytext=(4, -3),
            textcoords="offset points",
            fontsize=9,
        )
    cd = test.critical_difference
    axes.plot([1, 1 + cd], [1.2, 1.2], color="C3", linewidth=2)
    axes.annotate(f"CD = {cd:.2f}", (1, 1.4), fontsize=9, color="C3")
    for depth, group in enumerate(groups_not_different(test), 1):
        ranks = [rank for rank, model in order if model in group]
        axes.plot(
            [min(ranks), max(ranks)], [0.3 * depth, 0.3 * depth], linewidth=4, color="C0", alpha=0.6
        )
    axes.set_xlabel("mean rank (1 = best)")
    axes.set_yticks([])
    return figure
