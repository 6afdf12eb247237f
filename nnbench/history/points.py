"""The numbers of a history, laid out by series and revision: one row per successful result
with its series and revision; per series and revision, the moments of its metric and fit
time; and the paired tests of :mod:`nnbench.compare` between consecutive revisions of a series
that stored predictions for a seed they share. Grouping is pandas'; the only Python loops are
over series with predictions to compare and over the revisions they hold."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from nnbench.compare import Pairing, PairResult, compare_pairings, decisive
from nnbench.history.collect import Revision
from nnbench.result_tables import ALL, SEED_KEY, Tables
from nnbench.stats import CellSummary
from nnbench.stats.steps import Moments

#: what one series of a history shares: its cell's protocol (parameters, precision among them,
#: subset and data sizes) and its data's content
SERIES = ["dataset", "model", "protocol", "data_fingerprint"]
#: the columns of load()'s table a history keeps, and what compare reads of a result
COLUMNS = [
    *SEED_KEY,
    "data_fingerprint",
    "synthetic",
    "status",
    "fit_s",
    "env_git_commit",
    "env_started_at",
    "predictions_file",
    "predictions_sha256",
    "test_labels",
]
#: the shortest fit time a log takes, so that a time of 0 stays finite
SHORTEST_S = 1e-9


def results_frame(tables: Tables, metric: str) -> pd.DataFrame:
    """One row per successful result that recorded ``metric`` on its test set, with the
    :data:`COLUMNS` and the metric as ``value``."""
    classes, scores = tables.classes, tables.scores
    rows = classes.loc[
        (classes["split"] == "test") & (classes["class"] == ALL) & (classes["status"] == "ok"),
        COLUMNS,
    ]
    wanted = (scores["split"] == "test") & (scores["metric"] == metric)
    return cast(
        pd.DataFrame, rows.merge(scores.loc[wanted, [*SEED_KEY, "value"]], on=list(SEED_KEY))
    )


@dataclass(frozen=True)
class Grid:
    """The results by series (rows) and revision (columns, in history's order): ``frame``, the
    results sorted by ``series`` and ``point`` (their row and column); ``first``, one result of
    each series; the moments of the metric, of the fit time and of its log."""

    frame: pd.DataFrame
    first: pd.DataFrame
    metric: Moments
    time: Moments
    log_time: Moments

    @cached_property
    def codes(self) -> npt.NDArray[np.int64]:
        """Each result's series and point as one sorted number."""
        series, point = (self.frame[name].to_numpy(dtype=np.int64) for name in ("series", "point"))
        codes: npt.NDArray[np.int64] = series * self.metric.n.shape[1] + point
        return codes

    def cell(self, series: int, point: int) -> CellSummary:
        """The results of one series at one revision, as a cell."""
        code = series * self.metric.n.shape[1] + point
        low, high = np.searchsorted(self.codes, [code, code + 1])
        return CellSummary(self.frame.iloc[low:high])


def moments(frame: pd.DataFrame, values: pd.Series, shape: tuple[int, int]) -> Moments:
    """The moments of ``values`` (NaN left out) by the frame's series and point."""
    found = values.groupby([frame["series"], frame["point"]]).agg(["count", "mean", "var"])
    found = found[found["count"] > 0]
    where = (found.index.get_level_values(0), found.index.get_level_values(1))
    n, mean, m2 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    n[where] = found["count"]
    mean[where] = found["mean"]
    m2[where] = found["var"].fillna(0.0) * (found["count"] - 1)
    return Moments(n, mean, m2)


def layout(frame: pd.DataFrame, order: list[Revision]) -> Grid:
    """The results (with a ``revision`` column, every one of them in ``order``) by series and
    revision."""
    position = {revision.key: index for index, revision in enumerate(order)}
    frame = frame.assign(
        series=frame.groupby(SERIES, sort=False, dropna=False).ngroup(),
        point=frame["revision"].map(position),
    ).sort_values(["series", "point"], kind="stable")
    shape = (int(frame["series"].max()) + 1, len(order))
    fit_s = frame["fit_s"]
    return Grid(
        frame=frame,
        first=frame.drop_duplicates("series"),
        metric=moments(frame, frame["value"], shape),
        time=moments(frame, fit_s, shape),
        log_time=moments(frame, np.log(fit_s.clip(lower=SHORTEST_S)), shape),
    )


def previous_points(present: np.ndarray) -> np.ndarray:
    """For each series and point, the series' point before it (-1 where there is none)."""
    marked = np.where(present, np.arange(present.shape[1]), -1)
    previous = np.full(present.shape, -1)
    previous[:, 1:] = np.maximum.accumulate(marked, axis=1)[:, :-1]
    return previous


def shared_predictions(grid: Grid) -> pd.DataFrame:
    """``series``, ``point`` and ``previous`` of each point whose series' point before it
    stored predictions for a seed it stored them for too."""
    frame = grid.frame
    stored = frame.loc[frame["predictions_file"].notna(), ["series", "point", "seed"]]
    stored = stored.drop_duplicates()
    previous = previous_points(grid.metric.n > 0)
    stored["previous"] = previous[stored["series"].to_numpy(), stored["point"].to_numpy()]
    earlier = stored[["series", "point", "seed"]].rename(columns={"point": "previous"})
    pairs = stored.merge(earlier, on=["series", "previous", "seed"])
    return cast(pd.DataFrame, pairs[["series", "point", "previous"]].drop_duplicates())


def paired_tests(
    grid: Grid, order: list[Revision], alpha: float
) -> dict[tuple[int, int], PairResult]:
    """The decisive paired test (:func:`nnbench.compare.decisive`) of each point against the
    series' point before it, by (series, point), where both stored predictions for a seed."""
    found = {}
    datasets = grid.first.set_index("series")["dataset"]
    for key, pairs in shared_predictions(grid).groupby("series"):
        series = int(cast(int, key))  # a series' number
        pairings = [
            Pairing(
                str(datasets[series]),
                order[point].key,
                order[previous].key,
                grid.cell(series, point),
                grid.cell(series, previous),
            )
            for point, previous in zip(pairs["point"], pairs["previous"], strict=True)
        ]
        at = {order[point].key: point for point in pairs["point"]}
        for result in decisive(compare_pairings(pairings, alpha)):
            if result.p is not None and not no_spread(result):
                found[(series, at[result.model])] = result
    return found


def no_spread(result: PairResult) -> bool:
    """Whether ``result`` is a test over seeds whose differences are all the same: the t-test
    then has no spread to weigh the mean against and gives p = 0, which with accuracies
    counted in whole images happens by chance (three seeds each one image worse). History
    leaves such a pair to the level test."""
    return result.seed is None and result.p == 0.0 and result.ci_low == result.ci_high
