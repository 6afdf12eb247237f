"""Paired comparisons from stored predictions: pairing, the numbers of each pair, Holm's
adjustment, verdicts, and the tests over seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest, ttest_rel

from nnbench.compare import (
    MCNEMAR,
    NOT_TESTED,
    compare_pairings,
    pairings_across,
    pairings_within,
    worse,
)
from nnbench.results import load, write_result
from nnbench.stats import summarise
from nnbench.stats.paired import holm
from tests.test_results import make_result
from tests.test_sidecars import scored_result

RNG = np.random.default_rng(7)
TRUTH = RNG.integers(0, 3, 400)


def labels_with_accuracy(accuracy: float, seed: int) -> np.ndarray:
    """Predictions that get about ``accuracy`` of :data:`TRUTH` right."""
    rng = np.random.default_rng(seed)
    wrong = rng.random(len(TRUTH)) > accuracy
    return np.where(wrong, (TRUTH + 1) % 3, TRUTH)


def write_run(run_dir: Path, models: dict[str, list[np.ndarray]], **changes) -> Path:
    """A run folder with one result per (model, seed), predictions stored."""
    index = 0
    for model, per_seed in models.items():
        for seed, predicted in enumerate(per_seed):
            result = scored_result(
                TRUTH, predicted, model=model, seed=seed, cell_id=f"{model}{seed}", **changes
            )
            write_result({**result, "cell_index": index}, run_dir)
            index += 1
    return run_dir


def cells(run_dir: Path):
    return summarise(load(run_dir))


def test_each_pair_gives_the_difference_the_counts_and_the_exact_p(tmp_path):
    nb, cnn = labels_with_accuracy(0.7, 1), labels_with_accuracy(0.9, 2)
    run = write_run(tmp_path / "run", {"naive_bayes": [nb], "cnn": [cnn]})
    (result,) = compare_pairings(pairings_within(cells(run)))
    right_nb, right_cnn = nb == TRUTH, cnn == TRUTH
    b, c = int((right_cnn & ~right_nb).sum()), int((right_nb & ~right_cnn).sum())
    assert (result.model, result.reference, result.seed, result.test) == (
        "cnn",
        "naive_bayes",
        0,
        MCNEMAR,
    )
    assert (result.n, result.b, result.c) == (400, b, c)
    assert result.diff == pytest.approx(right_cnn.mean() - right_nb.mean())
    assert result.diff == pytest.approx((b - c) / 400)
    assert result.p == pytest.approx(binomtest(min(b, c), b + c, 0.5).pvalue)
    assert result.statistic == pytest.approx((b - c) ** 2 / (b + c))
    assert result.ci_low < result.diff < result.ci_high
    assert result.verdict == "better" and result.p_adjusted == result.p  # one comparison


def test_every_pair_is_compared_and_holm_adjusts_them_together(tmp_path):
    predictions = {f"m{i}": [labels_with_accuracy(0.8 + 0.02 * i, i)] for i in range(4)}
    run = write_run(tmp_path / "run", predictions)
    results = compare_pairings(pairings_within(cells(run)))
    assert len(results) == 6  # every pair of four models, the later against the earlier
    assert [r.p_adjusted for r in results] == pytest.approx(holm([r.p for r in results]))
    for result in results:
        expected = (
            "no detectable difference"
            if result.p_adjusted >= 0.05
            else ("better" if result.diff > 0 else "worse")
        )
        assert result.verdict == expected


def test_a_reference_and_an_ordering_choose_the_pairs(tmp_path):
    predictions = {
        name: [labels_with_accuracy(0.8, i)]
        for i, name in enumerate(["naive_bayes", "cnn", "lasso_logit", "mine"])
    }
    run = write_run(tmp_path / "run", predictions)
    against_cnn = pairings_within(cells(run), reference="cnn")
    assert [(p.model, p.reference) for p in against_cnn] == [
        ("naive_bayes", "cnn"),
        ("lasso_logit", "cnn"),
        ("mine", "cnn"),
    ]
    ordered = pairings_within(cells(run), order=("naive_bayes", "lasso_logit", "dense_nn", "cnn"))
    assert [(p.model, p.reference) for p in ordered] == [
        ("lasso_logit", "naive_bayes"),  # each step of the ordering that ran
        ("cnn", "lasso_logit"),
        ("mine", "naive_bayes"),  # and a model outside it against each one in it
        ("mine", "lasso_logit"),
        ("mine", "cnn"),
    ]


def test_several_seeds_add_a_test_over_the_per_seed_differences(tmp_path):
    nb = [labels_with_accuracy(0.70, seed) for seed in range(3)]
    cnn = [labels_with_accuracy(0.72, 10 + seed) for seed in range(3)]
    run = write_run(tmp_path / "run", {"naive_bayes": nb, "cnn": cnn})
    results = compare_pairings(pairings_within(cells(run)))
    assert [r.seed for r in results] == [0, 1, 2, None]
    overall = results[-1]
    diffs = [r.diff for r in results[:3]]
    accuracies = [[(p == TRUTH).mean() for p in side] for side in (cnn, nb)]
    assert overall.test == "paired t" and overall.n == 3
    assert overall.diff == pytest.approx(np.mean(diffs))
    assert overall.p == pytest.approx(ttest_rel(*accuracies).pvalue)


def test_results_without_predictions_are_not_tested_and_say_why(tmp_path):
    run = tmp_path / "run"
    write_result(make_result(), run)
    write_result(make_result(model="cnn", cell_id="c"), run)
    (result,) = compare_pairings(pairings_within(cells(run)))
    assert (result.verdict, result.note, result.p) == (NOT_TESTED, "no predictions stored", None)
    assert worse([result]) == []


def test_cells_scored_on_other_test_images_are_not_paired(tmp_path):
    run = write_run(tmp_path / "run", {"naive_bayes": [labels_with_accuracy(0.7, 1)]})
    shuffled = scored_result(TRUTH[::-1], TRUTH[::-1], model="cnn", cell_id="c")
    write_result(shuffled, run)
    (result,) = compare_pairings(pairings_within(cells(run)))
    assert result.note == "scored on different test images: no pairing" and result.p is None


def test_across_runs_the_same_cell_is_paired_and_a_changed_parameter_named(tmp_path):
    good, bad = labels_with_accuracy(0.95, 1), labels_with_accuracy(0.6, 2)
    main = write_run(tmp_path / "main", {"cnn": [good]}, params={"epochs": 5})
    branch = write_run(tmp_path / "branch", {"cnn": [bad]}, params={"epochs": 1})
    (result,) = compare_pairings(pairings_across(cells(branch), cells(main)))
    assert (result.model, result.reference, result.verdict) == ("cnn", "cnn", "worse")
    assert result.note == "epochs 5 → epochs 1"
    assert worse([result]) == [result]
    (same,) = compare_pairings(pairings_across(cells(main), cells(main)))
    assert (same.b, same.c, same.p, same.verdict) == (0, 0, 1.0, "no detectable difference")
