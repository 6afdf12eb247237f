"""The gate's rows: every rule on hand-made results, exactly at and beyond its edge."""

from __future__ import annotations

import pytest

from nnbench.errors import BaselineError, ConfigError
from nnbench.gate.baseline import make_baseline
from nnbench.gate.render import tally
from nnbench.gate.rows import check
from nnbench.gate.verdicts import Tolerances
from nnbench.result_tables import tables
from tests.gate.test_baseline import seed_result
from tests.test_results import tables_of

# test accuracy 0.80, 0.84, 0.88: mean 0.84, sd 0.04; class "1": 0.70, 0.74, 0.78
BASELINE = make_baseline(
    tables(
        {
            "runs/base": [
                seed_result(0, 0.80, 0.70),
                seed_result(1, 0.84, 0.74),
                seed_result(2, 0.88, 0.78),
            ]
        }
    )
)
# one seed: test 0.90, class "1" 0.80; sd unknown, so only the absolute tolerances apply
SINGLE = make_baseline(tables({"runs/one": [seed_result(0, 0.90, 0.80)]}))


def verdicts(rows) -> dict[str, str]:
    return {row.metric: row.verdict for row in rows}


def test_an_unchanged_rerun_passes_every_metric():
    rows = check(BASELINE, tables_of(seed_result(0, 0.80, 0.70)))
    assert verdicts(rows) == {
        "test accuracy": "pass",
        "test accuracy, class 0": "pass",
        "test accuracy, class 1": "pass",
        "fit time": "info",
        "predict time": "info",
    }
    assert not any(row.failed for row in rows)


@pytest.mark.parametrize(
    "now, verdict",
    [(0.72, "pass"), (0.7199, "REGRESSION"), (0.96, "pass"), (0.9601, "improved")],
)
def test_the_floor_is_mean_minus_k_sd_when_that_is_wider(now, verdict):
    # margin = max(0.005, 3 * 0.04) = 0.12: the floor is 0.72, improvement starts above 0.96
    (row,) = [
        r
        for r in check(BASELINE, tables_of(seed_result(5, now, 0.74)))
        if r.metric == "test accuracy"
    ]
    assert row.verdict == verdict
    assert row.failed is (verdict == "REGRESSION")
    assert row.allowed == "≥ 0.7200 (3·sd)"
    assert row.baseline == "0.8400 (sd 0.0400, n=3)"


@pytest.mark.parametrize("now, verdict", [(0.895, "pass"), (0.8949, "REGRESSION")])
def test_the_floor_is_the_absolute_tolerance_without_spread(now, verdict):
    (row,) = [
        r
        for r in check(SINGLE, tables_of(seed_result(0, now, 0.80)))
        if r.metric == "test accuracy"
    ]
    assert (row.verdict, row.allowed, row.delta) == (
        verdict,
        "≥ 0.8950 (tol 0.005)",
        f"{now - 0.90:+.4f}",
    )


def test_flags_set_both_tolerances():
    loose = Tolerances(abs_tol=0.02, k=0.0)
    assert (
        verdicts(check(SINGLE, tables_of(seed_result(0, 0.885, 0.80)), loose))["test accuracy"]
        == "pass"
    )
    tight = Tolerances(k=1.0)  # margin 0.04: floor 0.80
    assert verdicts(check(BASELINE, tables_of(seed_result(0, 0.79, 0.74)), tight))[
        "test accuracy"
    ] == ("REGRESSION")


def test_a_collapsed_class_fails_while_overall_accuracy_barely_moves():
    # overall 0.90 -> 0.897 is inside its 0.005; class "1" 0.80 -> 0.75 is outside its 0.02
    rows = check(SINGLE, tables_of(seed_result(0, 0.897, 0.75)))
    assert verdicts(rows)["test accuracy"] == "pass"
    assert verdicts(rows)["test accuracy, class 1"] == "REGRESSION"
    assert [row.metric for row in rows if row.failed] == ["test accuracy, class 1"]


def test_the_mean_of_several_seeds_is_what_is_checked():
    rows = check(SINGLE, tables_of(seed_result(0, 0.89, 0.80), seed_result(1, 0.91, 0.80)))
    (row,) = [r for r in rows if r.metric == "test accuracy"]
    assert (row.verdict, row.now) == ("pass", "0.9000 ± 0.1271 (n=2)")


def test_missing_skipped_and_failed_cells_fail():
    other = seed_result(0, 0.9, 0.8, model="cnn")
    skipped = seed_result(0, 0.9, 0.8, status="skipped", skip_reason="No photos.\nMore", metrics={})
    failed = seed_result(0, 0.9, 0.8, status="failed", error="ValueError: nan loss", metrics={})
    for results, now, verdict in (
        ([other], "not in the run", "missing"),
        ([skipped], "skipped: No photos.", "missing"),
        ([failed], "failed: ValueError: nan loss", "FAILED"),
    ):
        rows = check(SINGLE, tables_of(*results))
        (row,) = [r for r in rows if r.model == "naive_bayes"]
        assert (row.metric, row.now, row.verdict, row.failed) == ("result", now, verdict, True)
    # a cell the baseline does not know is reported, and fails nothing
    (extra,) = [
        r for r in check(SINGLE, tables_of(seed_result(0, 0.9, 0.8), other)) if r.model == "cnn"
    ]
    assert (extra.verdict, extra.failed) == ("not in baseline", False)


def test_the_gate_compares_a_changed_model_with_the_baseline_of_its_old_code():
    edited = seed_result(0, 0.80, 0.70, model_origin={"kind": "file", "code": "sha256:new"})
    rows = check(BASELINE, tables_of(edited))
    assert verdicts(rows)["test accuracy"] == "pass" and "protocol" not in verdicts(rows)


def test_a_cell_that_failed_on_one_of_three_seeds_fails_though_the_others_pass():
    # seeds 0 and 2 match the baseline exactly; seed 1 failed
    run = [
        seed_result(0, 0.80, 0.70),
        seed_result(1, 0.84, 0.74, status="failed", error="ValueError: nan loss", metrics={}),
        seed_result(2, 0.88, 0.78),
    ]
    rows = check(BASELINE, tables_of(*run))
    assert [(row.metric, row.now, row.verdict, row.failed) for row in rows] == [
        ("result", "failed (seed 1; 1 of 3 seeds): ValueError: nan loss", "FAILED", True)
    ]
    assert tally(rows) == "1 check: 1 FAILED; 1 failed."
    healthy = check(BASELINE, tables_of(run[0], seed_result(1, 0.84, 0.74), run[2]))
    assert not any(row.failed for row in healthy)  # the same seeds, all successful, pass


def test_a_protocol_change_is_not_comparable_unless_allowed():
    changed = seed_result(0, 0.5, 0.5, params={"variant": "bernoulli"}, data={"n_test": 9})
    (row,) = check(SINGLE, tables_of(changed))
    assert (row.metric, row.verdict, row.failed) == ("protocol", "not comparable", True)
    assert (row.baseline, row.now) == (
        "n_test 10; variant multinomial",
        "n_test 9; variant bernoulli",
    )
    rows = check(SINGLE, tables_of(changed), Tolerances(allow_protocol_change=True))
    assert verdicts(rows)["protocol"] == "changed (allowed)"
    assert verdicts(rows)["test accuracy"] == "REGRESSION"  # and the accuracy is still checked


def test_timing_is_a_ratio_that_fails_only_above_max_slowdown():
    slow = seed_result(0, 0.9, 0.8, timing={"fit_s": 3.0, "predict_s": 0.02})
    fit = {r.metric: r for r in check(SINGLE, tables_of(slow))}["fit time"]
    assert (fit.baseline, fit.now, fit.delta, fit.allowed, fit.verdict, fit.failed) == (
        "1.50 s (n=1)",
        "3.00 s",
        "×2.00",
        "not gated",
        "info",
        False,
    )
    gated = {r.metric: r for r in check(SINGLE, tables_of(slow), Tolerances(max_slowdown=1.5))}
    assert (gated["fit time"].verdict, gated["fit time"].failed) == ("SLOWER", True)
    assert (gated["predict time"].verdict, gated["predict time"].failed) == ("pass", False)


def test_a_gated_timing_without_numbers_to_compare_is_shown_not_dropped():
    no_timing = seed_result(0, 0.9, 0.8, timing={})
    assert "fit time" not in verdicts(check(SINGLE, tables_of(no_timing)))
    rows = {r.metric: r for r in check(SINGLE, tables_of(no_timing), Tolerances(max_slowdown=2))}
    assert (rows["fit time"].allowed, rows["fit time"].verdict) == ("no timing to compare", "info")


def scored_seed(seed: int, test: float, **scores: float) -> dict:
    """A seed whose test metrics hold ``scores`` beyond accuracy."""
    result = seed_result(seed, test, 0.8)
    result["metrics"]["test"]["scores"] = {"accuracy": test, **scores}
    return result


def test_a_check_gates_on_the_metric_its_baseline_holds():
    made = make_baseline(
        tables({"r": [scored_seed(0, 0.9, balanced_accuracy=0.88, log_loss=0.30)]}),
        metric="log_loss",
    )
    assert made["metric"] == "log_loss" and made["cells"][0]["test_metric"]["mean"] == 0.30
    gate = Tolerances(metric="log_loss", abs_tol=0.02)

    def verdict(loss: float) -> tuple[str, str]:
        rows = check(made, tables_of(scored_seed(0, 0.9, log_loss=loss)), gate)
        (row,) = [r for r in rows if r.metric == "test log loss"]
        return row.verdict, row.allowed

    # lower is better for a loss: a rise beyond the margin is the regression
    assert verdict(0.33) == ("REGRESSION", "≤ 0.3200 (tol 0.02)")
    assert verdict(0.31) == ("pass", "≤ 0.3200 (tol 0.02)")
    assert verdict(0.25)[0] == "improved"
    with pytest.raises(BaselineError, match="The baseline holds the test log_loss, and the check"):
        check(made, tables_of(scored_seed(0, 0.9)), Tolerances())


def test_balanced_accuracy_gates_like_accuracy():
    made = make_baseline(
        tables({"r": [scored_seed(0, 0.9, balanced_accuracy=0.80)]}), metric="balanced_accuracy"
    )
    gate = Tolerances(metric="balanced_accuracy")
    rows = check(made, tables_of(scored_seed(0, 0.9, balanced_accuracy=0.79)), gate)
    assert {r.metric: r.verdict for r in rows}["test balanced accuracy"] == "REGRESSION"


def test_a_baseline_for_a_metric_some_cell_lacks_is_refused():
    with pytest.raises(BaselineError, match="has no log_loss for every seed"):
        make_baseline(tables({"r": [seed_result(0, 0.9, 0.8)]}), metric="log_loss")
    with pytest.raises(ConfigError, match="Unknown metric 'logloss'. Did you mean 'log_loss'"):
        make_baseline(tables({"r": [seed_result(0, 0.9, 0.8)]}), metric="logloss")
