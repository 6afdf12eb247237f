"""A series' history as a plot: the metric with its interval over results on the left axis,
the fit time on the right, one tick per commit, each step a dashed line before its commit."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnbench.history.detect import Series
from nnbench.report.plots import new_figure
from nnbench.scores import MetricInfo
from nnbench.stats import Estimate

#: the report's figure size for a metric against fit time (see nnbench.report.plots.SIZES)
KIND = "accuracy-vs-fit-time"
#: the colours of the metric and of the fit time
METRIC_COLOUR, TIME_COLOUR = "C0", "C1"


def bars(estimates: list[Estimate | None]) -> tuple[np.ndarray, np.ndarray]:
    """Means and half-widths (0 without one; NaN means where there is no estimate)."""
    means = np.array([np.nan if e is None else e.mean for e in estimates])
    halves = np.array(
        [0.0 if e is None or e.half_width is None else e.half_width for e in estimates]
    )
    return means, halves


def history_plot(series: Series, metric: MetricInfo) -> Figure:
    """The series' test metric (mean ± 95% interval) and fit time (mean ± 95% interval) by
    commit, oldest first, with a dashed line where each step starts."""
    title = f"{series.title}: test {metric.label} and fit time by commit"
    figure, axes = new_figure(KIND, title)
    x = np.arange(len(series.points))
    means, halves = bars([point.metric for point in series.points])
    axes.errorbar(x, means, yerr=halves, marker="o", capsize=3, color=METRIC_COLOUR)
    time = axes.twinx()
    means, halves = bars([point.fit_s for point in series.points])
    time.errorbar(x, means, yerr=halves, marker="s", capsize=3, color=TIME_COLOUR, alpha=0.8)
    for index, point in enumerate(series.points):
        for step in point.steps:
            colour = METRIC_COLOUR if step.kind == "metric" else TIME_COLOUR
            axes.axvline(index - 0.5, color=colour, linestyle="--", linewidth=1.2)
            what = metric.label if step.kind == "metric" else "fit time"
            axes.annotate(
                f"{what} {step.change.value}",
                (index - 0.45, 1.0 if step.kind == "metric" else 0.0),
                xycoords=("data", "axes fraction"),
                va="top" if step.kind == "metric" else "bottom",
                fontsize=8,
                color=colour,
            )
    axes.set_xticks(x, [point.revision.label for point in series.points], rotation=90, fontsize=7)
    axes.set_xlabel("commit, oldest first (dashed: a step starts at the next commit)")
    axes.set_ylabel(f"test {metric.label} (mean ± 95% interval)", color=METRIC_COLOUR)
    time.set_ylabel("fit time, s (mean ± 95% interval)", color=TIME_COLOUR)
    axes.grid(True, alpha=0.3)
    return figure
