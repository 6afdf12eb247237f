"""Intervals over test images, and paired tests between two classifiers scored on the same test
images: McNemar's exact test and a bootstrap interval for the accuracy difference, Holm's
adjustment for several comparisons, and the test over seeds of the per-seed differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import binomtest, norm, ttest_1samp, wilcoxon

from nnbench.stats.seeds import CONFIDENCE

#: resamples of the paired bootstrap
BOOTSTRAP_RESAMPLES = 2000
#: seed of the paired bootstrap, so that the same predictions always give the same interval
BOOTSTRAP_SEED = 0
#: from this many seeds on, the per-seed differences are tested with Wilcoxon's signed-rank
#: test; below it with the paired t-test (Wilcoxon's smallest p with 5 seeds is 0.0625)
WILCOXON_FROM = 6

Verdict = Literal["better", "worse", "no detectable difference"]


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for the proportion ``successes / n``; unlike the normal
    approximation it stays inside [0, 1] and keeps its width at 0 and ``n`` successes."""
    if n <= 0:
        raise ValueError(f"a proportion needs at least one trial, got n = {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, {n}], got {successes}")
    z = float(norm.ppf(0.5 + confidence / 2))
    z2 = z * z
    centre = (successes + z2 / 2) / (n + z2)
    half_width = z / (n + z2) * math.sqrt(successes * (n - successes) / n + z2 / 4)
    # exact ends at 0 and n successes, where rounding would leave them a hair off 0 or 1
    low = 0.0 if successes == 0 else centre - half_width
    high = 1.0 if successes == n else centre + half_width
    return low, high


@dataclass(frozen=True)
class PairedCounts:
    """Two classifiers on the same ``n`` test images: ``b`` images only the model got right,
    ``c`` images only the reference got right (the rest both or neither got right)."""

    n: int
    b: int
    c: int

    def __post_init__(self) -> None:
        if self.n <= 0 or self.b < 0 or self.c < 0 or self.b + self.c > self.n:
            raise ValueError(f"need n > 0 and 0 <= b, c with b + c <= n, got {self}")

    @property
    def diff(self) -> float:
        """Model accuracy minus reference accuracy: only the discordant images count."""
        return (self.b - self.c) / self.n


def _correctness(values: npt.ArrayLike, name: str) -> npt.NDArray[np.bool_]:
    """``values`` as a 1-D boolean array; 0/1 numbers are accepted, anything else is refused."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype != np.bool_ and not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must hold booleans (or 0 and 1), got dtype {array.dtype}")
    return array.astype(bool)


def paired_counts(model_correct: npt.ArrayLike, reference_correct: npt.ArrayLike) -> PairedCounts:
    """The :class:`PairedCounts` of two per-image correctness arrays, in the same image order."""
    model = _correctness(model_correct, "model_correct")
    reference = _correctness(reference_correct, "reference_correct")
    if model.size != reference.size or model.size == 0:
        raise ValueError(
            "model and reference must be scored on the same non-empty test set, got "
            f"{model.size} model and {reference.size} reference predictions"
        )
    b = int(np.count_nonzero(model & ~reference))
    c = int(np.count_nonzero(reference & ~model))
    return PairedCounts(int(model.size), b, c)


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p: under no difference each of the ``b + c`` discordant images
    is equally likely to favour either classifier, so ``min(b, c)`` is Binomial(b + c, 1/2)."""
    if b + c == 0:
        return 1.0
    return float(binomtest(min(b, c), b + c, 0.5).pvalue)


def mcnemar_statistic(b: int, c: int) -> float:
    """McNemar's chi-square ``(b - c)^2 / (b + c)``, without continuity correction (0 when no
    image is discordant)."""
    if b + c == 0:
        return 0.0
    return (b - c) ** 2 / (b + c)


def paired_bootstrap_interval(
    counts: PairedCounts,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Seeded percentile bootstrap interval of the accuracy difference, resampling test images
    with replacement.

    The difference of a resample depends only on how many of its ``n`` images are of each kind
    (only the model right, only the reference right, both or neither), and drawing ``n`` images
    with replacement makes those three counts Multinomial(n; b/n, c/n, 1 - (b+c)/n). So each
    resample is one multinomial draw ``(b*, c*, rest)`` with difference ``(b* - c*) / n``: the
    same distribution as resampling indices, in O(resamples) instead of O(resamples * n).
    """
    if resamples < 1:
        raise ValueError(f"need at least one resample, got {resamples}")
    n = counts.n
    kinds = np.array([counts.b, counts.c, n - counts.b - counts.c]) / n
    draws = np.random.default_rng(seed).multinomial(n, kinds, size=resamples)
    diffs = (draws[:, 0] - draws[:, 1]) / n
    tail = (1 - confidence) / 2
    low, high = np.quantile(diffs, [tail, 1 - tail])
    return float(low), float(high)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni step-down adjusted p-values, in the input order: the i-th smallest p is
    multiplied by ``m - i`` (i from 0), then made non-decreasing in that order and capped at 1."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * (m - np.arange(m)))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(value) for value in adjusted]


@dataclass(frozen=True)
class SeedTest:
    """A test over seeds that the mean per-seed difference is 0: its name, p and seed count."""

    name: str
    p: float
    n: int


def seed_test(differences: Sequence[float]) -> SeedTest | None:
    """Test the per-seed differences (model minus reference, one per seed) against 0; None for
    fewer than two seeds.

    Below :data:`WILCOXON_FROM` seeds it is the paired t-test (one-sample t on the differences),
    from there Wilcoxon's signed-rank test, which needs no normality. All differences 0 give
    p = 1. Identical nonzero differences have no spread, so t is infinite: p = 0 (scipy gives
    that with a precision warning, or NaN).
    """
    values = np.asarray(differences, dtype=float)
    n = int(values.size)
    if n < 2:
        return None
    if not np.isfinite(values).all():
        raise ValueError(f"differences must be finite, got {values.tolist()}")
    name = "paired t" if n < WILCOXON_FROM else "Wilcoxon signed-rank"
    if not values.any():
        return SeedTest(name, 1.0, n)
    if n >= WILCOXON_FROM:
        return SeedTest(name, float(wilcoxon(values).pvalue), n)
    if np.ptp(values) == 0:
        return SeedTest(name, 0.0, n)
    return SeedTest(name, float(ttest_1samp(values, 0.0).pvalue), n)


def verdict(
    diff: float, p_adjusted: float, alpha: float = 0.05, higher_is_better: bool = True
) -> Verdict:
    """The verdict on model against reference: "better" or "worse" when the (adjusted) p is
    below ``alpha``, by the sign of ``diff`` (model minus reference) and the metric's
    direction; else "no detectable difference"."""
    if math.isnan(diff) or math.isnan(p_adjusted):
        raise ValueError(f"verdict needs a difference and a p, got {diff} and {p_adjusted}")
    if p_adjusted >= alpha or diff == 0:
        return "no detectable difference"
    return "better" if (diff > 0) == higher_is_better else "worse"


@dataclass(frozen=True)
class PairedComparison:
    """Model against reference on the same ``n`` test images: the discordant counts ``b``
    (only model right) and ``c`` (only reference right), the accuracy difference with its
    bootstrap interval, McNemar's chi-square and its exact p."""

    n: int
    b: int
    c: int
    diff: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float


def compare_predictions(
    model_correct: npt.ArrayLike,
    reference_correct: npt.ArrayLike,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> PairedComparison:
    """Compare two classifiers from their per-image correctness on the same test images."""
    counts = paired_counts(model_correct, reference_correct)
    low, high = paired_bootstrap_interval(counts, resamples, seed, confidence)
    return PairedComparison(
        n=counts.n,
        b=counts.b,
        c=counts.c,
        diff=counts.diff,
        ci_low=low,
        ci_high=high,
        statistic=mcnemar_statistic(counts.b, counts.c),
        p=mcnemar_exact_p(counts.b, counts.c),
    )
