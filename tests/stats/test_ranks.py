"""Ranks across datasets: hand-computed mean ranks, Friedman's formula and Nemenyi's table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nnbench.stats.ranks import RankTest, groups_not_different, nemenyi_q, rank_test

MODELS = ["a", "b", "c", "d"]


def three_by_four() -> pd.DataFrame:
    # ranks (1 = highest): mnist 1 2 3 4, cifar 1 3 2 4, svhn 2 1 3 4 -> means 4/3 2 8/3 4
    return pd.DataFrame(
        [[0.99, 0.98, 0.97, 0.90], [0.80, 0.70, 0.75, 0.60], [0.92, 0.95, 0.91, 0.85]],
        index=["mnist", "cifar", "svhn"],
        columns=MODELS,
    )


def demsar_statistic(mean_ranks, n, k):
    return 12 * n / (k * (k + 1)) * (sum(r * r for r in mean_ranks) - k * (k + 1) ** 2 / 4)


def test_mean_ranks_and_friedman_statistic():
    found = rank_test(three_by_four())
    assert found.models == tuple(MODELS)
    assert found.mean_ranks == pytest.approx((4 / 3, 2, 8 / 3, 4))
    assert found.n_datasets == 3
    # 12*3/20 * (16/9 + 4 + 64/9 + 16 - 25) = 1.8 * (35/9) = 7.0
    assert found.statistic == pytest.approx(7.0)
    assert found.statistic == pytest.approx(demsar_statistic(found.mean_ranks, 3, 4))
    # chi-square with k - 1 = 3 degrees of freedom: P(X > 7) = 0.0719
    assert found.p == pytest.approx(0.071897, abs=1e-5)


def test_nemenyi_q_matches_demsar_table():
    assert nemenyi_q(4) == pytest.approx(2.569, abs=5e-4)
    assert nemenyi_q(2) == pytest.approx(1.960, abs=5e-4)
    assert nemenyi_q(10) == pytest.approx(3.164, abs=5e-4)
    assert nemenyi_q(4, alpha=0.10) == pytest.approx(2.291, abs=5e-4)


def test_critical_difference():
    found = rank_test(three_by_four())
    assert found.critical_difference == pytest.approx(2.569 * math.sqrt(20 / 18), abs=1e-3)
    wider = rank_test(three_by_four(), alpha=0.01)
    assert wider.critical_difference > found.critical_difference


def test_lower_is_better_reverses_ranks():
    found = rank_test(three_by_four(), higher_is_better=False)
    assert found.mean_ranks == pytest.approx((4 - 1 / 3, 3, 7 / 3, 1))
    assert found.statistic == pytest.approx(7.0)


def test_ties_are_averaged():
    scores = pd.DataFrame([[0.9, 0.9, 0.8], [0.7, 0.6, 0.5]], columns=["x", "y", "z"])
    found = rank_test(scores)
    assert found.mean_ranks == pytest.approx((1.25, 1.75, 3.0))
    everyone_tied = pd.DataFrame([[0.5, 0.5, 0.5], [0.7, 0.7, 0.7]], columns=["x", "y", "z"])
    assert rank_test(everyone_tied).statistic == 0.0
    assert rank_test(everyone_tied).p == 1.0


def make_test(mean_ranks, cd):
    names = tuple(f"m{i}" for i in range(len(mean_ranks)))
    return RankTest(names, tuple(mean_ranks), 10, 0.0, 1.0, cd)


def test_groups_not_different():
    assert groups_not_different(make_test([1.0, 1.5, 2.2, 3.0, 4.5], cd=1.0)) == [
        ("m0", "m1"),
        ("m1", "m2"),
        ("m2", "m3"),
    ]
    # sorted by mean rank, whatever the column order; a difference of exactly CD differs
    assert groups_not_different(make_test([3.0, 1.0, 2.0], cd=1.0)) == []
    assert groups_not_different(make_test([3.0, 1.0, 2.0], cd=2.5)) == [("m1", "m2", "m0")]
    assert groups_not_different(make_test([1.0, 1.2, 1.4, 3.5], cd=1.0)) == [("m0", "m1", "m2")]


def test_groups_from_rank_test():
    found = rank_test(three_by_four())
    # CD = 2.708: a (4/3) and d (4) are 2.667 apart, so all four models form one group
    assert groups_not_different(found) == [("a", "b", "c", "d")]
    many = pd.concat([three_by_four()] * 6, ignore_index=True)
    many_found = rank_test(many)
    assert many_found.critical_difference == pytest.approx(2.569 * math.sqrt(20 / 108), abs=1e-3)
    # CD = 1.106: a-b and b-c are 0.667 apart, a-c and c-d 1.333, so d is in no group
    assert groups_not_different(many_found) == [("a", "b"), ("b", "c")]


def test_refuses_too_few_models_or_datasets():
    with pytest.raises(ValueError, match="at least 3 models and 2 datasets, got 2 models"):
        rank_test(three_by_four()[["a", "b"]])
    with pytest.raises(ValueError, match="got 4 models and 1 datasets"):
        rank_test(three_by_four().iloc[:1])


def test_refuses_missing_scores():
    scores = three_by_four()
    scores.loc["cifar", "c"] = np.nan
    with pytest.raises(ValueError, match="model 'c' on dataset 'cifar'"):
        rank_test(scores)
