"""Steps in a history: where a series of points, one per commit, each holding some values (a
metric or a fit time, one per result), changes level.

The level test compares a point with the level before it: the values of every point since the
last step, by Student's two-sample t-test with pooled variance, its p multiplied by the
series' number of comparisons (Bonferroni). Scanning a series left to right, a point that
steps starts the next level. The paired tests of :mod:`nnbench.compare` between consecutive
points are Holm-adjusted over a series (:func:`holm_by_series`). Everything here is
vectorised over series, arrays of shape (series, points); only the loop over points, which are
commits and few, is Python's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
from scipy.special import stdtr, stdtrit

from nnbench.stats.paired import holm
from nnbench.stats.seeds import CONFIDENCE, Estimate

#: means closer than this (relative) count as equal when neither side has any spread, so that
#: the same values summed in another order do not make a step
EQUAL_MEANS = 1e-9


class Change(str, Enum):
    """Which way a step goes: the metric better or worse, the fit slower or faster."""

    BETTER = "better"
    WORSE = "worse"
    SLOWER = "slower"
    FASTER = "faster"


@dataclass(frozen=True)
class Step:
    """Where a level changes, from the point it is attached to on: ``kind`` "metric" or
    "time"; the level before (the mean of the values since the last step; for time the
    geometric mean) and the point's own; the level test's Bonferroni-adjusted p (None when it
    could not run), and the paired test's name and Holm-adjusted p when one ran."""

    kind: str
    change: Change
    before: float
    after: float
    level_p: float | None = None
    paired_test: str | None = None
    paired_p: float | None = None


@dataclass(frozen=True)
class Moments:
    """Count, mean and sum of squared deviations from the mean of some values, elementwise:
    one entry per series (1-D) or per series and point (2-D). An empty entry has n 0, mean 0."""

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    def __getitem__(self, index: tuple[slice, int]) -> Moments:
        return Moments(self.n[index], self.mean[index], self.m2[index])

    def merge(self, other: Moments) -> Moments:
        """The moments of both sets of values together (Chan, Golub and LeVeque's update)."""
        n = self.n + other.n
        share = np.divide(other.n, n, out=np.zeros(np.shape(n)), where=n > 0)
        delta = other.mean - self.mean
        return Moments(n, self.mean + delta * share, self.m2 + other.m2 + delta**2 * self.n * share)

    def where(self, mask: np.ndarray, other: Moments) -> Moments:
        """``other`` where ``mask`` holds, else these."""
        return Moments(
            *(np.where(mask, b, a) for a, b in zip(self.fields, other.fields, strict=True))
        )

    @property
    def fields(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.n, self.mean, self.m2

    def estimates(self) -> list[Estimate | None]:
        """Each entry, in row-major order, as :func:`nnbench.stats.estimate` gives it for its
        values: mean, sd and the half-width of the 95% t-interval (None for one value; the
        entry None when empty), computed for all entries at once."""
        n = np.ravel(self.n).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.sqrt(np.ravel(self.m2) / (n - 1))
            half = stdtrit(n - 1, 0.5 + CONFIDENCE / 2) * sd / np.sqrt(n)
        return [
            None
            if count == 0
            else Estimate(float(mean), None, None, 1)
            if count == 1
            else Estimate(float(mean), float(s), float(h), int(count))
            for count, mean, s, h in zip(n, np.ravel(self.mean), sd, half, strict=True)
        ]


def level_p(before: Moments, after: Moments) -> np.ndarray:
    """Two-sided p of Student's two-sample t-test (pooled variance, ``n1 + n2 - 2`` degrees of
    freedom) that ``after``'s values have the mean of ``before``'s; NaN where either side is
    empty or there are fewer than three values in all. Neither side with any spread: p 0 for
    different means, 1 for equal ones."""
    df = before.n + after.n - 2
    diff = after.mean - before.mean
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt((before.m2 + after.m2) / df * (1 / before.n + 1 / after.n))
        p = 2 * stdtr(df, -np.abs(diff) / se)
    same = np.abs(diff) <= EQUAL_MEANS * np.maximum(1.0, np.abs(before.mean))
    p = np.where(se > 0, p, np.where(same, 1.0, 0.0))
    return np.where((df >= 1) & (before.n > 0) & (after.n > 0), p, np.nan)


@dataclass(frozen=True)
class LevelScan:
    """The level test of each point against the level before it, shape (series, points): the
    Bonferroni-adjusted p (NaN where not tested), the level's mean before the point, and
    whether a step starts at the point."""

    p_adjusted: np.ndarray
    before: np.ndarray
    step: np.ndarray


def scan_levels(
    points: Moments,
    alpha: float | np.ndarray,
    forced: np.ndarray | None = None,
    min_change: float = 0.0,
) -> LevelScan:
    """Scan each series (row of ``points``; empty entries are commits it lacks) left to right:
    a point steps when the level test's p, times the series' comparisons (its points less
    one), is below ``alpha`` (per series, or one for all) and its mean differs from the level's
    by more than ``min_change``; or where ``forced`` (a step another test found) holds. A step
    starts a new level at its point; otherwise the point joins the level."""
    shape = points.n.shape
    comparisons = np.maximum((points.n > 0).sum(axis=1) - 1, 1)
    p_adjusted, before = np.full(shape, np.nan), np.full(shape, np.nan)
    step = np.zeros(shape, dtype=bool)
    level = points[:, 0]
    for k in range(1, shape[1]):
        point = points[:, k]
        tested = (point.n > 0) & (level.n > 0)
        p_adjusted[:, k] = np.minimum(level_p(level, point) * comparisons, 1.0)
        before[:, k] = np.where(tested, level.mean, np.nan)
        beyond = (p_adjusted[:, k] < alpha) & (np.abs(point.mean - level.mean) > min_change)
        if forced is not None:
            beyond |= forced[:, k]
        step[:, k] = tested & beyond
        level = level.merge(point).where(step[:, k], point)
    return LevelScan(p_adjusted, before, step)


def holm_by_series(p_values: np.ndarray) -> np.ndarray:
    """Holm's adjustment of each row's p-values (NaN where no test ran) over that row's
    tests: one family per series."""
    adjusted = np.full(p_values.shape, np.nan)
    for row in np.flatnonzero(~np.isnan(p_values).all(axis=1)):
        tested = ~np.isnan(p_values[row])
        adjusted[row, tested] = holm(p_values[row, tested].tolist())
    return adjusted
