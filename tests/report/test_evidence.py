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


@pytest.mark.slow
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


@pytest.mark.slow
def test_three_datasets_get_mean_ranks_friedman_and_the_critical_difference():
    from nnbench.report.render import markdown
    from nnbench.result_tables import tables
    from nnbench.studies import get_study
    from tests.test_results import make_result

    accuracies = {  # model ranks per dataset: a first everywhere, b and c swap once
        "d1": {"a": 0.9, "b": 0.8, "c": 0.7},
        "d2": {"a": 0.9, "b": 0.7, "c": 0.8},
        "d3": {"a": 0.9, "b": 0.8, "c": 0.7},
    }
    results = [
        make_result(
            dataset=dataset,
            model=model,
            cell_id=f"{dataset}{model}",
            metrics={
                "train": {"accuracy": value, "per_class": {"0": value}, "n": 10},
                "test": {"accuracy": value, "per_class": {"0": value}, "n": 10},
            },
        )
        for dataset, row in accuracies.items()
        for model, value in row.items()
    ]
    report = markdown(get_study("lecture").report(tables({"run": results}), with_plots=False))
    across = report.split("### Across datasets")[1].split("## Cost")[0]
    ranks = [line for line in across.splitlines() if line.startswith("| ") and "rank" not in line]
    assert ranks == [
        "| a       |        1.00 |",
        "| b       |        2.33 |",
        "| c       |        2.67 |",
    ]
    # Friedman: 12·3/(3·4)·(1 + 49/9 + 64/9) − 3·3·4 = 4.667, p = exp(−4.667/2) = 0.097;
    # Nemenyi: q(0.05, 3) = 2.343, CD = 2.343·sqrt(3·4/18) = 1.91
    assert "Friedman's test gives χ² = 4.67, p = 0.097" in across
    assert "the critical difference, 1.91 (Nemenyi, α = 0.05)" in across
    assert "are not shown to differ: a, b, c." in across  # every gap is under 1.91


def test_the_critical_difference_diagram_draws_every_model_at_its_rank():
    import pandas as pd

    from nnbench.report.evidence_plots import critical_difference
    from nnbench.report.plots import render
    from nnbench.stats.ranks import rank_test

    scores = pd.DataFrame(
        {"a": [0.9, 0.9, 0.9], "b": [0.8, 0.7, 0.8], "c": [0.7, 0.8, 0.7]}, index=["x", "y", "z"]
    )
    figure = critical_difference(rank_test(scores))
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts[:3] == ["a (1.00)", "b (2.33)", "c (2.67)"] and "CD = 1.91" in texts
    assert render(figure)["png"].startswith(b"\x89PNG")


def test_the_csv_holds_the_metrics_beyond_accuracy(lecture_run: Path):
    import pandas as pd

    from nnbench.results import read_run

    csv = pd.read_csv(lecture_run / "report.csv")
    rows = csv[(csv.metric == "log_loss") & (csv.split == "test")]
    assert list(rows.model) == [
        "naive_bayes",
        'lasso_logit [solver="fista"]',
        "dense_nn",
        "cnn [filters=[8], dense_units=[32]]",
    ]
    stored = [r["metrics"]["test"]["scores"]["log_loss"] for r in read_run(lecture_run)]
    assert list(rows["mean"]) == pytest.approx(stored)
