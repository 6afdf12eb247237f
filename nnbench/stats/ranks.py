"""Ranks across datasets (Demšar 2006): the mean rank of each model, Friedman's test that all
models rank alike, and Nemenyi's critical difference between two mean ranks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import friedmanchisquare, rankdata, studentized_range


@dataclass(frozen=True)
class RankTest:
    """Models ranked on each of ``n_datasets`` datasets (rank 1 = best, ties averaged), their
    mean ranks in the order of ``models``, Friedman's chi-square with its p, and Nemenyi's
    critical difference: two models whose mean ranks differ by at least it differ."""

    models: tuple[str, ...]
    mean_ranks: tuple[float, ...]
    n_datasets: int
    statistic: float
    p: float
    critical_difference: float


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Nemenyi's q for ``k`` models: the studentized range quantile with infinite degrees of
    freedom over sqrt(2) (Demšar's table: 2.569 for k = 4 at alpha = 0.05)."""
    return float(studentized_range.ppf(1 - alpha, k, math.inf)) / math.sqrt(2)


def _checked(scores: pd.DataFrame) -> np.ndarray:
    """The scores as a float array, refusing too few models or datasets and missing scores."""
    n_datasets, k = scores.shape
    if k < 3 or n_datasets < 2:
        raise ValueError(
            "Friedman's test needs at least 3 models and 2 datasets, got "
            f"{k} models and {n_datasets} datasets"
        )
    values = scores.to_numpy(dtype=float)
    missing = np.argwhere(np.isnan(values))
    if missing.size:
        row, column = missing[0]
        raise ValueError(
            f"no score for model {scores.columns[column]!r} on dataset {scores.index[row]!r}; "
            "rank only models scored on every dataset"
        )
    return values


def rank_test(scores: pd.DataFrame, alpha: float = 0.05, higher_is_better: bool = True) -> RankTest:
    """Rank the models (columns) on each dataset (row) of ``scores`` and test the mean ranks.

    scipy's Friedman statistic is corrected for ties; without ties it is Demšar's
    12N / (k(k+1)) [sum R_j^2 - k(k+1)^2 / 4]. When every dataset ties all models the
    statistic is 0 and p is 1 (scipy gives NaN).
    """
    values = _checked(scores)
    n_datasets, k = values.shape
    ranks = rankdata(-values if higher_is_better else values, axis=1)
    if (ranks == (k + 1) / 2).all():
        statistic, p = 0.0, 1.0
    else:
        result = friedmanchisquare(*values.T)
        statistic, p = float(result.statistic), float(result.pvalue)
    return RankTest(
        models=tuple(str(model) for model in scores.columns),
        mean_ranks=tuple(float(rank) for rank in ranks.mean(axis=0)),
        n_datasets=n_datasets,
        statistic=statistic,
        p=p,
        critical_difference=nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6 * n_datasets)),
    )


def groups_not_different(test: RankTest) -> list[tuple[str, ...]]:
    """The bars of a critical-difference diagram: the maximal runs of two or more models, in
    order of mean rank (best first), whose mean ranks all lie less than the critical difference
    apart. A model that differs from every other is in no group."""
    order = sorted(range(len(test.models)), key=lambda i: test.mean_ranks[i])
    ranks = [test.mean_ranks[i] for i in order]
    groups: list[tuple[str, ...]] = []
    end = 0
    for start, first in enumerate(ranks):
        last = start
        while last + 1 < len(ranks) and ranks[last + 1] - first < test.critical_difference:
            last += 1
        if last > start and last > end:
            groups.append(tuple(test.models[i] for i in order[start : last + 1]))
        end = max(end, last)
    return groups
