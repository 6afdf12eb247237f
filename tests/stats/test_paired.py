"""Paired statistics against statsmodels and scipy, textbook values and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ttest_rel, wilcoxon
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from nnbench.stats.paired import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    PairedComparison,
    PairedCounts,
    SeedTest,
    compare_predictions,
    holm,
    mcnemar_exact_p,
    mcnemar_statistic,
    paired_bootstrap_interval,
    paired_counts,
    seed_test,
    verdict,
    wilson_interval,
)


def random_tables(count: int = 50) -> list[tuple[int, int, int, int]]:
    """Seeded 2x2 tables (both, only model, only reference, neither): tiny, large, b + c = 0."""
    rng = np.random.default_rng(2006)
    tables = [(5, 0, 0, 3), (0, 0, 0, 1), (0, 1, 0, 0), (2, 0, 1, 0), (0, 3, 3, 0), (10, 7, 7, 2)]
    while len(tables) < count:
        scale = int(rng.choice([3, 10, 40, 300]))
        tables.append(tuple(int(x) for x in rng.integers(0, scale, size=4)))
    return tables


def test_mcnemar_on_agresti_table():
    # Agresti, Categorical Data Analysis: presidential approval, 794 150 / 86 570
    assert mcnemar_statistic(150, 86) == pytest.approx(17.36, abs=0.005)
    assert mcnemar_statistic(150, 86) == pytest.approx(4096 / 236)
    expected = mcnemar([[794, 150], [86, 570]], exact=True).pvalue
    assert mcnemar_exact_p(150, 86) == pytest.approx(expected, rel=1e-9)
    assert mcnemar_exact_p(150, 86) < 1e-4


@pytest.mark.parametrize("table", random_tables())
def test_mcnemar_matches_statsmodels(table):
    both, b, c, neither = table
    grid = [[both, b], [c, neither]]
    assert mcnemar_exact_p(b, c) == pytest.approx(mcnemar(grid, exact=True).pvalue, rel=1e-9)
    if b + c == 0:
        assert mcnemar_exact_p(b, c) == 1.0
        assert mcnemar_statistic(b, c) == 0.0
    else:
        chi2 = mcnemar(grid, exact=False, correction=False).statistic
        assert mcnemar_statistic(b, c) == pytest.approx(chi2, rel=1e-12)


def test_exact_p_is_symmetric_and_a_known_binomial_value():
    # 2 * P(Binomial(10, 1/2) <= 1) = 2 * 11 / 1024
    assert mcnemar_exact_p(1, 9) == pytest.approx(22 / 1024)
    assert mcnemar_exact_p(9, 1) == mcnemar_exact_p(1, 9)
    assert mcnemar_exact_p(4, 4) == 1.0


@pytest.mark.parametrize("n", [1, 2, 5, 13, 100, 1000])
def test_wilson_matches_statsmodels(n):
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((low, high), abs=1e-12)


def test_wilson_edges_and_errors():
    assert wilson_interval(0, 20)[0] == 0.0
    assert wilson_interval(20, 20)[1] == 1.0
    # 90%: z = 1.6449
    low, high = proportion_confint(7, 30, alpha=0.10, method="wilson")
    assert wilson_interval(7, 30, confidence=0.90) == pytest.approx((low, high), abs=1e-12)
    with pytest.raises(ValueError, match="n = 0"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(6, 5)


def test_paired_counts():
    model = np.array([True, True, False, False, True, True])
    reference = np.array([True, False, True, False, False, True])
    counts = paired_counts(model, reference)
    assert counts == PairedCounts(n=6, b=2, c=1)
    assert counts.diff == pytest.approx(model.mean() - reference.mean())
    assert paired_counts([1, 0, 1], [0, 0, 1]) == PairedCounts(3, 1, 0)


def test_paired_counts_refuses_mismatches():
    with pytest.raises(ValueError, match="3 model and 2 reference"):
        paired_counts(np.ones(3, bool), np.ones(2, bool))
    with pytest.raises(ValueError, match="0 model and 0 reference"):
        paired_counts(np.array([], bool), np.array([], bool))
    with pytest.raises(ValueError, match="booleans"):
        paired_counts(np.array([0.5, 1.0]), np.array([True, False]))
    with pytest.raises(ValueError, match="b \\+ c <= n"):
        PairedCounts(n=3, b=2, c=2)


@pytest.mark.slow
def test_holm_matches_statsmodels():
    rng = np.random.default_rng(7)
    cases = [[0.01, 0.04, 0.03, 0.005], [0.5], [0.2, 0.2, 0.01, 1.0], [0.03, 0.03, 0.03]]
    cases += [rng.uniform(0, 0.2, size=size).tolist() for size in (2, 5, 12)]
    for p in cases:
        assert holm(p) == pytest.approx(multipletests(p, method="holm")[1].tolist(), abs=1e-15)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([]) == []


def index_bootstrap(model, reference, resamples, seed):
    """The textbook bootstrap: resample image indices, recompute the accuracy difference."""
    rng = np.random.default_rng(seed)
    n = len(model)
    indices = rng.integers(0, n, size=(resamples, n))
    diffs = model[indices].mean(axis=1) - reference[indices].mean(axis=1)
    return diffs, tuple(np.quantile(diffs, [0.025, 0.975]))


def test_multinomial_bootstrap_matches_index_resampling():
    n = 80
    model = np.array([True] * 60 + [False] * 20)
    reference = np.array([True] * 50 + [False] * 10 + [True] * 6 + [False] * 14)
    counts = paired_counts(model, reference)
    assert (counts.b, counts.c) == (10, 6)
    direct, direct_interval = index_bootstrap(model, reference, 40_000, seed=1)
    kinds = np.array([counts.b, counts.c, n - counts.b - counts.c]) / n
    draws = np.random.default_rng(2).multinomial(n, kinds, size=40_000)
    multinomial = (draws[:, 0] - draws[:, 1]) / n
    assert multinomial.mean() == pytest.approx(direct.mean(), abs=0.001)
    assert multinomial.std() == pytest.approx(direct.std(), rel=0.02)
    interval = paired_bootstrap_interval(counts, resamples=40_000, seed=3)
    assert interval == pytest.approx(direct_interval, abs=1.01 / n)
    # Var(diff*) = ((b + c)/n - diff^2) / n, the same for both
    assert direct.var() == pytest.approx(((16 / 80) - 0.05**2) / 80, rel=0.03)


def test_bootstrap_is_seeded():
    counts = PairedCounts(n=300, b=20, c=11)
    first = paired_bootstrap_interval(counts)
    assert first == paired_bootstrap_interval(counts, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED)
    assert first[0] < counts.diff < first[1]
    assert paired_bootstrap_interval(PairedCounts(n=10, b=0, c=0)) == (0.0, 0.0)


def test_bootstrap_coverage():
    rng = np.random.default_rng(12345)
    n, experiments = 500, 200
    # only model right, only reference right, both right, neither: accuracies 0.85 and 0.82
    kinds = np.array([0.06, 0.03, 0.79, 0.12])
    true_diff = 0.85 - 0.82
    covered = 0
    for seed in range(experiments):
        kind = rng.choice(4, size=n, p=kinds)
        model = (kind == 0) | (kind == 2)
        reference = (kind == 1) | (kind == 2)
        result = compare_predictions(model, reference, seed=seed)
        covered += result.ci_low <= true_diff <= result.ci_high
    rate = covered / experiments
    print(f"paired bootstrap coverage: {rate:.3f} ({covered}/{experiments}) at nominal 0.95")
    assert rate >= 0.93


def test_compare_predictions():
    model = np.array([True] * 90 + [False] * 10)
    reference = np.array([True] * 80 + [False] * 10 + [True] * 2 + [False] * 8)
    result = compare_predictions(model, reference)
    low, high = paired_bootstrap_interval(PairedCounts(100, 10, 2))
    assert result == PairedComparison(
        n=100,
        b=10,
        c=2,
        diff=pytest.approx(0.08),
        ci_low=low,
        ci_high=high,
        statistic=pytest.approx(64 / 12),
        p=pytest.approx(mcnemar([[80, 10], [2, 8]], exact=True).pvalue),
    )
    assert low < 0.08 < high


def test_seed_test_t_for_few_seeds():
    a = np.array([0.91, 0.93, 0.92])
    b = np.array([0.90, 0.905, 0.915])
    found = seed_test(a - b)
    assert found == SeedTest("paired t", pytest.approx(ttest_rel(a, b).pvalue, rel=1e-9), 3)
    assert 0.05 < found.p < 0.5


def test_seed_test_wilcoxon_from_six_seeds():
    rng = np.random.default_rng(3)
    a = rng.normal(0.9, 0.01, size=8)
    b = a - rng.normal(0.004, 0.005, size=8)
    found = seed_test(a - b)
    assert found == SeedTest(
        "Wilcoxon signed-rank", pytest.approx(wilcoxon(a, b).pvalue, rel=1e-9), 8
    )
    assert seed_test([0.01] * 5).name == "paired t"
    assert seed_test([0.01] * 6).name == "Wilcoxon signed-rank"


def test_seed_test_edges():
    assert seed_test([0.02]) is None
    assert seed_test([]) is None
    assert seed_test([0.0, 0.0, 0.0]) == SeedTest("paired t", 1.0, 3)
    assert seed_test([0.0] * 7) == SeedTest("Wilcoxon signed-rank", 1.0, 7)
    assert seed_test([0.01, 0.01, 0.01]) == SeedTest("paired t", 0.0, 3)
    # six identical positive differences: exact Wilcoxon p = 2 / 2^6
    assert seed_test([0.01] * 6).p == pytest.approx(2 / 64)
    with pytest.raises(ValueError, match="finite"):
        seed_test([0.01, float("nan")])


def test_verdict():
    assert verdict(0.02, 0.01) == "better"
    assert verdict(-0.02, 0.01) == "worse"
    assert verdict(0.02, 0.2) == "no detectable difference"
    assert verdict(0.02, 0.05) == "no detectable difference"
    assert verdict(0.02, 0.08, alpha=0.1) == "better"
    # lower is better, such as an error rate or a loss
    assert verdict(-0.02, 0.01, higher_is_better=False) == "better"
    assert verdict(0.02, 0.01, higher_is_better=False) == "worse"
    assert verdict(0.0, 0.01) == "no detectable difference"
    with pytest.raises(ValueError):
        verdict(float("nan"), 0.01)
