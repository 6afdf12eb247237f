"""The validation split: a stratified hold-out that is the same for every model and seed, a
history that watches it, and a test set scored once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnbench.cli import main
from nnbench.errors import ConfigError
from nnbench.results import load_tables, read_run
from nnbench.suite import load_suite
from nnbench.validation import hold_out, relabel_history, split_counts


def test_the_hold_out_is_stratified_and_counted_as_scikit_learn_does():
    labels = np.repeat([0, 1, 2], [600, 300, 100])
    images = np.arange(1000)
    split = hold_out(images, labels, 0.1)
    assert (len(split.y_train), len(split.y_val)) == split_counts(1000, 0.1) == (900, 100)
    assert np.bincount(split.y_val).tolist() == [60, 30, 10]  # the classes' shares kept
    assert set(split.x_train.tolist()).isdisjoint(split.x_val.tolist())
    again = hold_out(images, labels, 0.1)
    assert np.array_equal(split.x_val, again.x_val)  # one hold-out per data and fraction
    assert split_counts(1001, 0.1) == (900, 101)  # the hold-out rounds up


def test_a_fraction_that_leaves_a_class_empty_is_bad_input():
    with pytest.raises(ConfigError, match="validation 0.01 cannot hold out a stratified share"):
        hold_out(np.arange(20), np.repeat([0, 1], 10), 0.01)


def test_a_history_that_watched_the_hold_out_says_so():
    row = {"epoch": 1, "train_loss": 0.5, "test_loss": 0.4, "test_accuracy": 0.9}
    assert relabel_history([row]) == [
        {"epoch": 1, "train_loss": 0.5, "validation_loss": 0.4, "validation_accuracy": 0.9}
    ]


def test_a_suite_sets_the_fraction_per_model_and_refuses_a_bad_one(tmp_path: Path):
    suite = tmp_path / "suite.toml"
    suite.write_text("[datasets.mnist.dense_nn]\nepochs = 2\nvalidation = 0.2\n")
    [config] = load_suite(suite).configs("mnist", "dense_nn")
    assert (config.params, config.validation) == ({"epochs": 2}, 0.2)
    suite.write_text("[datasets.mnist.dense_nn]\nvalidation = 1\n")
    with pytest.raises(ConfigError, match=r"datasets.mnist.dense_nn.validation is 1: give the"):
        load_suite(suite)


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory, data_dir: Path) -> Path:
    """Two learning rates of the dense net on 3,000 MNIST images, with a 10% hold-out."""
    out = tmp_path_factory.mktemp("validation") / "run"
    models = "dense_nn[learning_rate=0.001],dense_nn[learning_rate=0.01]"
    argv = ["run", "--model", models, "--dataset", "mnist", "--subset", "3000", "--epochs", "2"]
    argv += ["--validation", "0.1", "--target", "0.5", "--out", str(out)]
    assert main([*argv, "--data-dir", str(data_dir)]) == 0
    return out


@pytest.mark.slow
def test_with_a_split_the_history_reads_validation_and_the_test_set_is_scored_once(grid_run):
    for result in read_run(grid_run):
        assert result["data"]["validation"] == 0.1
        assert (result["data"]["n_train"], result["data"]["n_validation"]) == (2700, 300)
        assert result["metrics"]["train"]["n"] == 2700 and result["metrics"]["test"]["n"] == 3000
        assert result["metrics"]["validation"]["n"] == 300
        for row in result["history"]:
            assert "test_accuracy" not in row and 0 <= row["validation_accuracy"] <= 1
    epochs = load_tables(grid_run).epochs
    assert epochs["test_accuracy"].isna().all() and epochs["validation_accuracy"].notna().all()


def test_the_report_chooses_on_validation_and_says_so(grid_run):
    report = (grid_run / "report.md").read_text()
    tables = load_tables(grid_run)
    val = tables.scores[
        (tables.scores.split == "validation") & (tables.scores.metric == "accuracy")
    ]
    best = val.sort_values("value").iloc[-1]
    rate = json.loads(best.protocol)["params"]["learning_rate"]
    label = f"dense_nn [learning_rate={rate:g}]"
    assert (
        f"- Of the 2 configurations of dense_nn, {label} is chosen on validation accuracy "
        f"({best.value:.4f}); its test accuracy" in report
    )
    assert "whose validation accuracy reaches the target" in report
    assert "Learning curves: validation accuracy after each epoch" in report


@pytest.mark.slow
def test_without_a_split_the_best_of_a_grid_is_marked_optimistic(tmp_path, data_dir: Path):
    models = "naive_bayes[variant=bernoulli],naive_bayes[variant=multinomial]"
    out = tmp_path / "run"
    argv = ["run", "--model", models, "--dataset", "mnist", "--subset", "1000", "--out", str(out)]
    assert main([*argv, "--data-dir", str(data_dir)]) == 0
    report = (out / "report.md").read_text()
    assert (
        "has the best test accuracy" in report and "chosen on the test set (optimistic)" in report
    )
