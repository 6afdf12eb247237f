"""Baseline files: statistics over seeds, provenance, and clear errors for unusable input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnbench.errors import BaselineError, NNBenchError
from nnbench.gate.baseline import make_baseline, read_baseline, write_baseline
from nnbench.plan import Cell, make_model
from nnbench.result_tables import tables
from nnbench.suite import DEFAULT_SUITE, load_suite
from tests.conftest import REPO, suite_params
from tests.test_results import make_result


def seed_result(seed: int, test: float, class_1: float, **changes) -> dict:
    """A two-class result of ``seed`` with the given test accuracies."""
    metrics = {
        "train": {"accuracy": 0.9, "per_class": {"0": 0.9, "1": 0.9}, "n": 20},
        "test": {"accuracy": test, "per_class": {"0": 0.9, "1": class_1}, "n": 10},
    }
    env = {"python": "3.11.7", "device": "cpu", "git_commit": "abc", "started_at": f"T{seed}"}
    defaults = {"seed": seed, "metrics": metrics, "env": env, "data": {"n_test": 10}}
    return make_result(**{**defaults, **changes})


def test_baseline_holds_mean_sd_and_values_per_cell_and_class():
    runs = {
        "runs/a": [seed_result(0, 0.80, 0.70), seed_result(1, 0.84, 0.74)],
        "runs/b": [seed_result(2, 0.88, 0.78)],
    }
    baseline = make_baseline(tables(runs), note="three seeds")
    (cell,) = baseline["cells"]
    assert cell["dataset"] == "mnist" and cell["model"] == "naive_bayes"
    assert cell["seeds"] == [0, 1, 2]
    assert cell["test_accuracy"]["mean"] == pytest.approx(0.84)
    assert cell["test_accuracy"]["sd"] == pytest.approx(0.04)
    assert cell["test_accuracy"]["values"] == [0.80, 0.84, 0.88]
    assert cell["per_class"]["1"]["mean"] == pytest.approx(0.74)
    assert cell["per_class"]["1"]["sd"] == pytest.approx(0.04)
    assert cell["per_class"]["0"]["sd"] == 0.0
    assert cell["fit_s"] == {"mean": 1.5, "sd": 0.0, "n": 3, "values": [1.5, 1.5, 1.5]}
    assert cell["protocol"] == {"params": {"variant": "multinomial"}, "n_test": 10}
    assert cell["env"] == {"python": "3.11.7", "device": "cpu", "git_commit": "abc"}
    provenance = baseline["provenance"]
    assert provenance["note"] == "three seeds"
    assert provenance["runs"] == [
        {"path": "runs/a", "git_commits": ["abc"], "started_at": "T0"},
        {"path": "runs/b", "git_commits": ["abc"], "started_at": "T2"},
    ]


def test_one_seed_has_no_sd_and_skipped_cells_are_left_out():
    skipped = make_result(model="cnn", status="skipped", skip_reason="absent", metrics={})
    baseline = make_baseline(tables({"r": [seed_result(0, 0.8, 0.7), skipped]}))
    assert [cell["model"] for cell in baseline["cells"]] == ["naive_bayes"]
    assert baseline["cells"][0]["test_accuracy"]["sd"] is None


@pytest.mark.parametrize(
    "runs, message",
    [
        (
            {"r": [seed_result(0, 0.8, 0.7, status="failed", error="ValueError: x")]},
            "naive_bayes seed 0 failed in r \\(ValueError: x\\). A baseline is made from successful",
        ),
        (
            {"r": [seed_result(0, 0.8, 0.7)], "r2": [seed_result(0, 0.8, 0.7)]},
            "seed 0 has two results with the same protocol",
        ),
        (
            {"r": [seed_result(0, 0.8, 0.7), seed_result(1, 0.8, 0.7, params={"variant": "x"})]},
            r"under two protocols \(variant multinomial against variant x\)",
        ),
        ({"r": [make_result(status="skipped", metrics={})]}, "r: no successful results"),
    ],
    ids=["failed seed", "same seed twice", "two protocols", "nothing ran"],
)
def test_runs_a_baseline_cannot_be_made_from_are_refused(runs, message):
    with pytest.raises(NNBenchError, match=message):
        make_baseline(tables(runs))


def test_round_trip(tmp_path: Path):
    baseline = make_baseline(tables({"r": [seed_result(0, 0.8, 0.7), seed_result(1, 0.82, 0.7)]}))
    write_baseline(baseline, tmp_path / "b.json")
    assert read_baseline(tmp_path / "b.json") == baseline
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]


def corrupt(document: dict, where: str, value) -> dict:
    """``document`` with ``where`` (a dotted path into cells[0]) set to ``value``."""
    changed = json.loads(json.dumps(document))
    target = changed["cells"][0]
    *path, last = where.split(".")
    for key in path:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: '{"schema": "nnbench.baseline/1", "cells": [', "cannot be read as JSON"),
        (
            lambda b: json.dumps({**b, "schema": "nnbench.baseline/0"}),
            "schema 'nnbench.baseline/0'",
        ),
        (lambda b: json.dumps([1, 2]), "schema None"),
        (
            lambda b: json.dumps({**b, "cells": []}),
            r"b.json: cells is \[\]: List should have at least 1 item",
        ),
        (
            lambda b: json.dumps(corrupt(b, "test_accuracy", KeyError)),
            r"cells\[0\].test_accuracy is missing",
        ),
        (
            lambda b: json.dumps(corrupt(b, "test_accuracy.mean", 1.5)),
            r"cells\[0\].test_accuracy.mean is 1.5: should be less than or equal to 1",
        ),
        (
            lambda b: json.dumps(corrupt(b, "test_accuracy.sd", -0.1)),
            r"cells\[0\].test_accuracy.sd is -0.1: should be greater than or equal to 0",
        ),
        (
            lambda b: json.dumps(corrupt(b, "per_class.1", {"mean": "high"})),
            r'cells\[0\].per_class.1.mean is "high": should be a number',
        ),
        (lambda b: json.dumps(corrupt(b, "fit_s", 3)), r"cells\[0\].fit_s is 3: should be a table"),
        (
            lambda b: json.dumps(corrupt(b, "peak_rss_bytes", {"mean": -1, "sd": None, "n": 1})),
            r"cells\[0\].peak_rss_bytes.mean is -1: should be greater than or equal to 0",
        ),
        (
            lambda b: json.dumps({**b, "cells": b["cells"] * 2}),
            "b.json: mnist · naive_bayes appears twice in cells",
        ),
        (lambda b: json.dumps(corrupt(b, "seeds", 3)), r"cells\[0\].seeds is 3: should be a list"),
        (
            lambda b: json.dumps(corrupt(b, "dataset", ["mnist"])),
            r'cells\[0\].dataset is \["mnist"\]: should be text',
        ),
        (
            lambda b: json.dumps(corrupt(b, "env", None)),
            r"cells\[0\].env is null: should be a table",
        ),
        (lambda b: json.dumps({**b, "provenance": []}), r"provenance is \[\]: should be a table"),
    ],
    ids=[
        "truncated",
        "old schema",
        "not an object",
        "no cells",
        "missing key",
        "mean above 1",
        "negative sd",
        "bad class",
        "bad timing",
        "negative memory",
        "duplicate cell",
        "seeds not a list",
        "dataset not a name",
        "env null",
        "provenance a list",
    ],
)
def test_a_corrupted_baseline_is_named_with_the_problem(tmp_path: Path, change, message):
    baseline = make_baseline(tables({"r": [seed_result(0, 0.8, 0.7), seed_result(1, 0.82, 0.7)]}))
    path = tmp_path / "b.json"
    path.write_text(change(baseline))
    with pytest.raises(BaselineError, match=message):
        read_baseline(path)


def test_a_missing_baseline_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(BaselineError, match="does not exist. Make one with `nnbench baseline"):
        read_baseline(tmp_path / "none.json")


def test_the_committed_baseline_is_valid_and_matches_the_lecture_protocol():
    baseline = read_baseline(REPO / "results" / "baselines" / "mnist-cpu.json")
    suite = load_suite(DEFAULT_SUITE)
    assert [cell["model"] for cell in baseline["cells"]] == suite.models("mnist")
    for cell in baseline["cells"]:
        model = make_model(
            Cell("mnist", cell["model"], 0, suite_params(suite, "mnist", cell["model"]))
        )
        assert cell["protocol"]["params"] == json.loads(json.dumps(model.get_params()))
        assert (cell["protocol"]["n_train"], cell["protocol"]["n_test"]) == (60000, 10000)
        assert cell["seeds"] == [0, 1, 2]
        assert len(cell["per_class"]) == 10
        assert all(record["sd"] is not None for record in cell["per_class"].values())
