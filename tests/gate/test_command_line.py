"""The gate end to end: small real runs (2,000 MNIST training and 500 test images) through
``nnbench baseline`` and ``nnbench check``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from nnbench.cli import main
from nnbench.models.keras.loop import KerasModel
from tests.conftest import main_in_fresh_python


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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_another_seed_within_noise_passes(gate, capsys):
    code, other = gate["run"]("seed7", "--seed", "7")
    assert code == 0
    capsys.readouterr()
    assert gate_check(gate, other) == 0
    rows = table(capsys.readouterr().out)
    assert rows["dense_nn", "test accuracy"][2] != "+0.0000"  # another seed, other numbers


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_check_reads_results_only_and_never_imports_tensorflow(gate):
    argv = ["check", str(gate["root"] / "base"), "--baseline", str(gate["baseline"])]
    assert main_in_fresh_python(argv) == (0, False)
