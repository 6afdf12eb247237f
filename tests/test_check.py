"""The regression gate: every rule on hand-made results, exactly at and beyond its edge; then the
command line on small real runs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from nnbench.baseline import make_baseline
from nnbench.check import Tolerances, check
from nnbench.check_render import junit_xml, render_check, tally
from nnbench.cli import main
from nnbench.errors import BaselineError, ConfigError
from nnbench.models.keras_loop import KerasModel
from nnbench.result_tables import tables
from tests.conftest import main_in_fresh_python
from tests.test_baseline import seed_result
from tests.test_results import table_of, tables_of

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


def test_the_report_names_rule_environment_changes_and_tally():
    now = seed_result(0, 0.5, 0.8)
    now["env"] = {**now["env"], "python": "3.12.1"}
    rows = check(SINGLE, tables_of(now))
    text = render_check(rows, SINGLE, "b.json", table_of(now), Tolerances())
    assert "Changed since the baseline: python 3.11.7 → 3.12.1." in text
    assert "test accuracy fails below the baseline's mean − max(0.005, 3·sd)" in text
    assert "| naive_bayes | test accuracy |" not in text  # the cell column names dataset too
    assert (
        "| mnist · naive_bayes | test accuracy          | 0.9000 (n=1) | 0.5000 | -0.4000 |" in text
    )
    assert text.rstrip().endswith("5 checks: 1 REGRESSION, 2 pass, 2 info; 1 failed.")
    assert (
        tally(check(SINGLE, tables_of(seed_result(0, 0.9, 0.8))))
        == "5 checks: 3 pass, 2 info; all passed."
    )


def test_junit_has_one_case_per_row_and_a_failure_for_each_failed_one():
    rows = check(
        SINGLE, tables_of(seed_result(0, 0.897, 0.75, timing={"fit_s": 9.0, "predict_s": 0.02}))
    )
    root = ET.fromstring(junit_xml(rows, "nnbench check b.json", {"baseline": "b.json"}))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert (root.get("tests"), root.get("failures"), suite.get("failures")) == ("5", "1", "1")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("nnbench.mnist.naive_bayes", "test accuracy"),
        ("nnbench.mnist.naive_bayes", "test accuracy, class 0"),
        ("nnbench.mnist.naive_bayes", "test accuracy, class 1"),
        ("nnbench.mnist.naive_bayes", "fit time"),
        ("nnbench.mnist.naive_bayes", "predict time"),
    ]
    (failure,) = suite.iter("failure")
    assert failure.get("type") == "REGRESSION"
    assert failure.get("message") == (
        "mnist · naive_bayes test accuracy, class 1: REGRESSION; baseline 0.8000 (n=1), now "
        "0.7500, delta -0.0500, allowed ≥ 0.7800 (tol 0.02)."
    )
    assert "×6.00" in cases[3].find("system-out").text
    assert suite.find("properties/property").attrib == {"name": "baseline", "value": "b.json"}


# End to end: small real runs (2,000 MNIST training and 500 test images) through the command line.


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory, small_idx_folder: Path) -> dict:
    """A baseline from 5 seeds of naive Bayes and a 3-epoch dense net, and a way to run more."""
    root = tmp_path_factory.mktemp("gate")
    dataset = f"idx:{small_idx_folder}"

    def run(name: str, *flags: str, models: str = "naive_bayes,dense_nn") -> tuple[int, Path]:
        out = root / name
        code = main(
            [
                "run",
                "--model",
                models,
                "--dataset",
                dataset,
                "--epochs",
                "3",
                *flags,
                "--out",
                str(out),
            ]
        )
        return code, out

    code, base_run = run("base", "--seeds", "0,1,2,3,4")
    assert code == 0
    baseline = root / "baseline.json"
    assert main(["baseline", str(base_run), "--out", str(baseline)]) == 0
    return {"run": run, "baseline": baseline, "root": root, "dataset": dataset}


def gate_check(gate: dict, run_dir: Path, *flags: str) -> int:
    return main(["check", str(run_dir), "--baseline", str(gate["baseline"]), *flags])


def table(out: str) -> dict[tuple[str, str], list[str]]:
    """The check's table: (model, metric) -> [baseline, now, delta, allowed, verdict]."""
    rows = [line.strip("|").split("|") for line in out.splitlines() if line.startswith("| idx:")]
    return {
        (cells[0].split("·")[1].strip(), cells[1].strip()): [c.strip() for c in cells[2:]]
        for cells in rows
    }


def test_a_clean_rerun_passes(gate, capsys):
    code, rerun = gate["run"]("rerun", "--seed", "0")
    assert code == 0
    capsys.readouterr()
    assert gate_check(gate, rerun) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("all passed.")
    verdicts = {row[-1] for row in table(out).values()}
    assert verdicts == {"pass", "info"}
    seed0 = json.loads(gate["baseline"].read_text())["cells"][1]["test_accuracy"]["values"][0]
    assert table(out)["dense_nn", "test accuracy"][1] == f"{seed0:.4f}"  # seed 0's number again
    # accuracy, 10 classes, fit and predict time, and peak memory: shown, not gated
    assert len(table(out)) == 2 * (1 + 10 + 2 + 1)
    assert table(out)["dense_nn", "peak memory"][3:] == ["not gated", "info"]


def test_check_gates_on_balanced_accuracy_against_a_baseline_of_it(gate, capsys):
    code, rerun = gate["run"]("balanced", "--seed", "0")
    assert code == 0
    base_run = gate["root"] / "base"
    balanced = gate["root"] / "balanced.json"
    flags = ["--metric", "balanced_accuracy"]
    assert main(["baseline", str(base_run), "--out", str(balanced), *flags]) == 0
    assert json.loads(balanced.read_text())["metric"] == "balanced_accuracy"
    capsys.readouterr()
    assert main(["check", str(rerun), "--baseline", str(balanced), *flags]) == 0
    out = capsys.readouterr().out
    assert "Rule: test balanced accuracy fails below the baseline's mean" in out
    assert table(out)["dense_nn", "test balanced accuracy"][-1] == "pass"
    # a baseline of one metric does not gate another
    assert main(["check", str(rerun), "--baseline", str(balanced)]) == 2
    assert "check with --metric balanced_accuracy" in capsys.readouterr().err


def test_another_seed_within_noise_passes(gate, capsys):
    code, other = gate["run"]("seed7", "--seed", "7")
    assert code == 0
    capsys.readouterr()
    assert gate_check(gate, other) == 0
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "test accuracy"][2] != "+0.0000"  # another seed, other numbers


def test_a_deliberate_regression_fails_and_is_in_the_junit_file(gate, monkeypatch, capsys):
    # an off-by-one between images and labels, as a data-pipeline bug would make it
    monkeypatch.setattr(KerasModel, "targets", lambda self, labels: np.roll(labels, 1))
    code, broken = gate["run"]("broken", "--seed", "0")
    assert code == 0  # the run itself succeeds; only the gate can see the damage
    capsys.readouterr()
    junit = broken / "junit.xml"
    assert gate_check(gate, broken, "--junit", str(junit)) == 1
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "test accuracy"][-1] == "REGRESSION"
    assert float(rows["dense_nn", "test accuracy"][1]) < 0.3
    assert rows["naive_bayes", "test accuracy"][-1] == "pass"
    failures = {
        case.get("classname").rsplit(".", 1)[1] + ": " + case.get("name")
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    }
    assert "dense_nn: test accuracy" in failures
    assert not any(name.startswith("naive_bayes") for name in failures)


def test_a_changed_protocol_is_not_comparable_and_fails_as_a_regression_when_allowed(gate, capsys):
    flags = ("--seed", "0", "--param", "learning_rate=1e-6")  # it barely learns
    code, untrained = gate["run"]("untrained", *flags, models="dense_nn")
    assert code == 0
    capsys.readouterr()
    assert gate_check(gate, untrained) == 1
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "protocol"] == [
        "learning_rate 0.001",
        "learning_rate 1e-06",
        "–",
        "the same protocol",
        "not comparable",
    ]
    assert ("dense_nn", "test accuracy") not in rows
    assert gate_check(gate, untrained, "--allow-protocol-change") == 1
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "protocol"][-1] == "changed (allowed)"
    assert rows["dense_nn", "test accuracy"][-1] == "REGRESSION"
    # naive Bayes was not run at all: a missing cell fails too
    assert rows["naive_bayes", "result"][1:] == [
        "not in the run",
        "–",
        "a successful result",
        "missing",
    ]


def test_a_failed_cell_fails_the_check(gate, monkeypatch, capsys):
    def explode(self, *args, **kwargs):
        raise FloatingPointError("loss is nan")

    monkeypatch.setattr(KerasModel, "fit", explode)
    code, failed = gate["run"]("failed", "--seed", "0")
    assert code == 1
    capsys.readouterr()
    assert gate_check(gate, failed) == 1
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "result"][1] == "failed: FloatingPointError: loss is nan"
    assert rows["dense_nn", "result"][-1] == "FAILED"
    assert rows["naive_bayes", "test accuracy"][-1] == "pass"


def test_a_corrupted_or_missing_baseline_exits_2(gate, tmp_path: Path, capsys):
    damaged = tmp_path / "damaged.json"
    damaged.write_text(gate["baseline"].read_text()[:200])
    base_run = gate["root"] / "base"
    assert main(["check", str(base_run), "--baseline", str(damaged)]) == 2
    assert f"Baseline {damaged} cannot be read as JSON" in capsys.readouterr().err
    assert main(["check", str(base_run), "--baseline", str(tmp_path / "none.json")]) == 2
    assert main(["check", str(tmp_path / "no-run"), "--baseline", str(gate["baseline"])]) == 2
    assert "no such run folder" in capsys.readouterr().err


def test_an_unwritable_junit_path_is_bad_input(gate, tmp_path: Path, capsys):
    (tmp_path / "a-file").write_text("")
    junit = tmp_path / "a-file" / "junit.xml"
    assert gate_check(gate, gate["root"] / "base", "--junit", str(junit)) == 2
    err = capsys.readouterr().err
    assert f"Cannot write --junit {junit}: " in err and "Choose a writable path." in err


def test_check_reads_results_only_and_never_imports_tensorflow(gate):
    argv = ["check", str(gate["root"] / "base"), "--baseline", str(gate["baseline"])]
    assert main_in_fresh_python(argv) == (0, False)


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
