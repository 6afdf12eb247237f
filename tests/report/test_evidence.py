"""A real run of the lecture's four models stores predictions for each, and its report says
which steps of the lecture's ordering the data support, with the metrics beyond accuracy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.results import read_predictions, read_run
from nnbench.scores import METRICS

MODELS = "naive_bayes,lasso_logit[solver=fista],dense_nn,cnn[filters=[8],dense_units=[32]]"


@pytest.fixture(scope="module")
def lecture_run(tmp_path_factory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("evidence") / "run"
    argv = ["run", "--model", MODELS, "--dataset", "mnist", "--subset", "2000", "--epochs", "2"]
    assert main([*argv, "--out", str(out), "--data-dir", str(data_dir)]) == 0
    return out


def test_every_model_stores_its_predictions_and_probabilities(lecture_run: Path):
    results = read_run(lecture_run)
    assert [r["model"] for r in results] == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    for result in results:
        stored = read_predictions(lecture_run, result)
        assert stored.correct.mean() == pytest.approx(result["metrics"]["test"]["accuracy"])
        assert stored.probabilities.shape == (2000, 10)
        scores = result["metrics"]["test"]["scores"]
        assert list(scores) == [name for name in METRICS if name != "roc_auc"]  # ten classes
        assert scores["accuracy"] == result["metrics"]["test"]["accuracy"]


def test_the_report_tests_each_step_of_the_lecture_ordering(lecture_run: Path):
    report = (lecture_run / "report.md").read_text()
    evidence = report.split("## Which differences are real?")[1].split("## Environment")[0]
    assert "The ordering naive_bayes < lasso_logit < dense_nn < cnn, step by step:" in evidence
    steps = [line for line in evidence.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in steps] == [
        '- naive_bayes < lasso_logit [solver="fista"]',
        '- lasso_logit [solver="fista"] < dense_nn',
        "- dense_nn < cnn [filters=[8], dense_units=[32]]",
    ]
    verdict = re.compile(
        r": (supported|not decided, the difference is within noise|contradicted, the order is "
        r"reversed) \(diff [+-]\d\.\d{4}, p \(Holm\) [^)]+\)\.$"
    )
    assert all(verdict.search(line) for line in steps), steps
    metrics = report.split("## Metrics beyond accuracy")[1].split("## Which differences")[0]
    header = next(line for line in metrics.splitlines() if line.startswith("| model"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
        "model",
        *(METRICS[name].label for name in METRICS if name != "roc_auc"),
    ]
    assert "![Reliability diagram" in metrics
