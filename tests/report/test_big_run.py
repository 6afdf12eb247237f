"""The report of a run too big to list cell by cell: a summary per model and per grid axis,
and the full table, one row per cell, as CSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nnbench.cli import main
from nnbench.parquet_files import read_parquet
from nnbench.report import document
from nnbench.report.big_run import axis_values, cell_count, cell_table
from nnbench.results import load, write_result
from nnbench.synthetic_results import SyntheticCell, write_synthetic_run
from tests.test_results import make_result


def grid_run(run_dir: Path) -> Path:
    """12 cells of two models over (lr, units), 2 seeds each, and one failed result."""
    cells = [
        SyntheticCell(
            model=model,
            seed=seed,
            params={"lr": lr, "units": units},
            accuracy=0.80 + 0.05 * units / 64 + (0.02 if model == "cnn" else 0),
            fit_s=units / 16,
            predictions=False,
        )
        for model in ("dense_nn", "cnn")
        for lr in (0.01, 0.1)
        for units in (16, 32, 64)
        for seed in (0, 1)
    ]
    write_synthetic_run(run_dir, cells)
    failed = make_result(
        dataset="synthetic-digits", model="cnn", seed=2, status="failed", error="boom", metrics={}
    )
    data = {"synthetic": True, "n_train": 5000, "n_test": 1000}  # as the synthetic cells'
    write_result(
        {**failed, "params": {"lr": 0.01, "units": 16}, "data": data, "cell_index": 99}, run_dir
    )
    return run_dir


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return grid_run(tmp_path / "run")


def test_the_cell_table_has_one_row_per_cell_with_its_parameters(run_dir: Path):
    table = cell_table(load(run_dir))
    assert len(table) == cell_count(load(run_dir)) == 12
    assert list(table.columns[:2]) == ["dataset", "model"]
    best = table.loc[table["test_accuracy_mean"].idxmax()]
    assert (best["model"], best["param.units"]) == ("cnn", 64)
    failed = table[
        (table["model"] == "cnn") & (table["param.lr"] == 0.01) & (table["param.units"] == 16)
    ]
    assert failed[["n_ok", "n_failed", "seeds"]].values.tolist() == [[2, 1, 3]]
    assert table["synthetic"].all()
    expected = load(run_dir).query("split == 'test' and `class` == 'All' and model == 'dense_nn'")
    assert table[table["model"] == "dense_nn"]["test_accuracy_mean"].mean() == pytest.approx(
        expected["accuracy"].mean()
    )


def test_a_run_over_the_limit_gets_the_summary_and_its_table_as_parquet(
    run_dir: Path, tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.setattr(document, "MANY_CELLS", 10)
    out = tmp_path / "out"
    assert main(["report", str(run_dir), "--output", str(out)]) == 0
    markdown = capsys.readouterr().out
    assert "12 cells, more than 10: this report summarises them" in markdown
    assert "## synthetic-digits (synthetic data)" in markdown
    assert "| cnn      |       6 |        13 |        1 |" in markdown
    assert "### cnn: test accuracy along each grid axis" in markdown
    assert "| units   |   cells |   mean test acc |" in markdown and "| lr   |" in markdown
    csv = pd.read_csv(out / "report.csv")
    parquet = read_parquet(out / "report.parquet")
    assert len(csv) == len(parquet) == 12
    assert parquet["param.units"].dtype.kind in "if" and parquet["model"].dtype == "string"
    assert list(csv.columns) == list(parquet.columns)
    assert not (out / "plots").exists()


@pytest.mark.slow
def test_a_run_under_the_limit_gets_the_full_report(run_dir: Path, tmp_path: Path, capsys):
    assert main(["report", str(run_dir), "--output", str(tmp_path / "out")]) == 0
    assert "this report summarises" not in capsys.readouterr().out
    assert not (tmp_path / "out" / "report.parquet").exists()


def test_an_axis_of_many_numbers_is_shown_in_bins_and_of_many_words_as_the_commonest():
    numbers = pd.Series(range(100), dtype="float64")
    binned = axis_values(numbers)
    assert binned.nunique() == 12 and binned.value_counts().max() <= 9
    words = pd.Series([f"w{i % 20}" for i in range(200)] + ["w0"] * 50)
    shown = axis_values(words)
    assert shown.nunique() == 12 and (shown == "other").sum() == 9 * 10
    assert list(axis_values(pd.Series([1, 2, 1]))) == ["1", "2", "1"]
