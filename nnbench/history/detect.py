"""A history: every series (dataset, model, protocol and data) of the results under some paths,
its metric and fit time at each revision, and the steps found in them (see docs/history.md
for the rules; the statistics are :mod:`nnbench.stats.steps`')."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nnbench.compare import ALPHA, PairResult
from nnbench.errors import ConfigError
from nnbench.files import short_fingerprint
from nnbench.history.collect import (
    Revision,
    git_history,
    in_order,
    revision_keys,
    revisions,
    run_folders,
)
from nnbench.history.points import Grid, layout, paired_tests, results_frame
from nnbench.presentation import label_cells
from nnbench.report.tables import dataset_title
from nnbench.results import load_tables
from nnbench.scores import MetricInfo, metric_info
from nnbench.stats import CellSummary, Estimate
from nnbench.stats.steps import Change, Step, holm_by_series, scan_levels

#: the fit-time ratio to the level before that a time step must exceed (either way)
TIME_RATIO = 1.2
#: where history looks when given no path
DEFAULT_PATH = Path("results/runs")

Steps = dict[tuple[int, int], list[Step]]


@dataclass(frozen=True)
class Point:
    """One series at one revision: its metric and fit time over the results there, and the
    steps that start there."""

    revision: Revision
    metric: Estimate
    fit_s: Estimate | None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Series:
    """One (dataset, model, protocol, data) through history; ``title`` names it, saying when
    its data are synthetic."""

    title: str
    synthetic: bool
    points: tuple[Point, ...]


@dataclass(frozen=True)
class History:
    """Every series, in the order they first ran; how revisions were ordered ("git history"
    or "start time"); and what was read and asked."""

    metric: MetricInfo
    series: list[Series]
    ordered_by: str
    runs: int
    results: int
    alpha: float
    time_ratio: float


def optional(value: float) -> float | None:
    """None for NaN."""
    return None if np.isnan(value) else float(value)


def metric_steps(
    grid: Grid, paired: dict[tuple[int, int], PairResult], info: MetricInfo, alpha: float
) -> Steps:
    """The metric's steps: where the paired test (Holm over the series) or the level test
    (Bonferroni over the series) finds one; a series with paired tests gives each α/2."""
    p = np.full(grid.metric.n.shape, np.nan)
    for where, pair in paired.items():
        p[where] = pair.p
    p_holm = holm_by_series(p)
    with_pairs = ~np.isnan(p).all(axis=1)
    scan = scan_levels(grid.metric, np.where(with_pairs, alpha / 2, alpha), p_holm < alpha / 2)
    steps: Steps = {}
    for series, point in zip(*np.nonzero(scan.step), strict=True):
        where = (int(series), int(point))
        result, after = paired.get(where), float(grid.metric.mean[where])
        by_pair = result is not None and p_holm[where] < alpha / 2
        paired_diff = result.diff if result is not None and by_pair else None
        diff = after - scan.before[where] if paired_diff is None else paired_diff
        better = (diff > 0) == info.higher_is_better
        steps.setdefault(where, []).append(
            Step(
                "metric",
                Change.BETTER if better else Change.WORSE,
                float(scan.before[where]),
                after,
                optional(scan.p_adjusted[where]),
                None if result is None else result.test,
                None if result is None else float(p_holm[where]),
            )
        )
    return steps


def time_steps(grid: Grid, alpha: float, time_ratio: float) -> Steps:
    """The fit time's steps: where the level test on log fit time (Bonferroni over the
    series) finds one and the geometric means' ratio is beyond ``time_ratio`` either way."""
    scan = scan_levels(grid.log_time, alpha, min_change=float(np.log(time_ratio)))
    steps: Steps = {}
    for series, point in zip(*np.nonzero(scan.step), strict=True):
        where = (int(series), int(point))
        before, after = np.exp(scan.before[where]), np.exp(grid.log_time.mean[where])
        change = Change.SLOWER if after > before else Change.FASTER
        step = Step("time", change, float(before), float(after), optional(scan.p_adjusted[where]))
        steps.setdefault(where, []).append(step)
    return steps


def model_labels(cells: list[CellSummary]) -> dict[CellSummary, str]:
    """:func:`nnbench.presentation.label_cells` of the cells of one model, in linear time: it
    names a cell by how it differs from the first other cell of its model, so each cell is
    labelled beside the first (the first beside the second)."""
    if len(cells) < 3:
        return label_cells(cells)
    first = label_cells(cells[:2])[cells[0]]
    return {cells[0]: first} | {cell: label_cells([cells[0], cell])[cell] for cell in cells[1:]}


def titles(grid: Grid) -> list[str]:
    """Each series' title: its dataset (marked synthetic) and model label (see
    :func:`nnbench.presentation.label_cells`), with its data's fingerprint where the rest is
    the same as another's."""
    first = grid.first[["dataset", "model", "protocol", "synthetic", "data_fingerprint"]]
    first = first.astype(object)  # a row of plain objects is quicker to take than Arrow's
    cells = [CellSummary(first.iloc[[index]]) for index in range(len(first))]
    labels: dict[CellSummary, str] = {}
    for _, group in grid.first.groupby(["dataset", "model"], sort=False, dropna=False):
        labels |= model_labels([cells[series] for series in group["series"]])
    found = [f"{dataset_title(cell)} · {labels[cell]}" for cell in cells]
    repeated = pd.Series(found).duplicated(keep=False)
    return [
        f"{title} (data {short_fingerprint(cell.rows['data_fingerprint'].iloc[0])})"
        if again
        else title
        for title, cell, again in zip(found, cells, repeated, strict=True)
    ]


def assemble(grid: Grid, order: list[Revision], steps: Steps) -> list[Series]:
    """The series with their points: only the revisions each has results at."""
    shape = grid.metric.n.shape
    metric, fit_s = grid.metric.estimates(), grid.time.estimates()
    series = []
    flags = grid.first["synthetic"]
    for index, (title, synthetic) in enumerate(zip(titles(grid), flags, strict=True)):
        points = tuple(
            Point(
                order[point],
                metric[index * shape[1] + point],
                fit_s[index * shape[1] + point],
                tuple(steps.get((index, int(point)), ())),
            )
            for point in np.flatnonzero(grid.metric.n[index] > 0)
        )
        series.append(Series(title, bool(synthetic), points))
    return series


def since_only(
    frame: pd.DataFrame, order: list[Revision], history: list[str], since: str
) -> tuple[pd.DataFrame, list[Revision]]:
    """The rows and revisions at commits of ``history`` (those after ``since``); a note on
    stderr of how many results that leaves out; a ConfigError when none is left."""
    after = set(history)
    kept = [revision for revision in order if revision.commit in after]
    rows = frame[frame["revision"].isin({revision.key for revision in kept})]
    if not len(rows):
        raise ConfigError(f"--since {since}: no result was made at a commit after {since}.")
    if len(rows) < len(frame):
        print(
            f"history: left out {len(frame) - len(rows)} results not after {since}", file=sys.stderr
        )
    return rows, kept


def build_history(
    paths: Sequence[Path] = (DEFAULT_PATH,),
    since: str | None = None,
    metric: str = "accuracy",
    alpha: float = ALPHA,
    time_ratio: float = TIME_RATIO,
) -> History:
    """The history of every result under ``paths`` (run folders, or folders holding them)."""
    try:
        info = metric_info(metric)
    except ConfigError as exc:
        raise ConfigError(f"--metric: {exc}") from None
    folders = run_folders(paths)
    frame = results_frame(load_tables(*folders), metric)
    if not len(frame):
        raise ConfigError(
            f"--metric {metric}: no successful result under {', '.join(map(str, paths))} "
            "recorded it on its test set."
        )
    frame = frame.assign(revision=revision_keys(frame))
    history = git_history(since)
    order = in_order(revisions(frame), history)
    if since is not None and history is not None:
        frame, order = since_only(frame, order, history, since)
    in_git = order[0].commit in set(history) if history else False
    grid = layout(frame, order)
    paired = paired_tests(grid, order, alpha) if info.name == "accuracy" else {}
    found = metric_steps(grid, paired, info, alpha)
    slower = time_steps(grid, alpha, time_ratio)
    steps = {key: found.get(key, []) + slower.get(key, []) for key in found.keys() | slower}
    series = assemble(grid, order, steps)
    ordered_by = "git history" if in_git else "start time"
    return History(info, series, ordered_by, len(folders), len(frame), alpha, time_ratio)
