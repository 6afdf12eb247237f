"""Generated file names: one per dataset and model, even for names a slug cannot tell apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.files import unique_slug
from nnbench.report.blocks import Figure
from nnbench.report.document import Report
from nnbench.report.output import write_report
from nnbench.result_tables import tables
from tests.report.sample import lecture_report
from tests.test_results import make_result

SPLIT = {
    "accuracy": 0.85,
    "per_class": {"0": 0.9, "1": 0.8},
    "support": {"0": 10, "1": 10},
    "confusion": [[9, 1], [2, 8]],
    "n": 20,
}


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        ("mnist", "_.-", "mnist"),
        ("naive_bayes", "_-", "naive_bayes"),
        ("a.b", "_.-", "a.b"),
        ("a.b", "_-", "a-b-2e7336dc"),
        ("idx:/s/cä", "_.-", "idx-s-c-a3aecdee"),
        ("idx:/s/cö", "_.-", "idx-s-c-a8e29780"),
        ("ä", "_.-", "33e6d73f"),
    ],
)
def test_unique_slug_adds_a_hash_only_when_the_slug_loses_something(text, keep, expected):
    assert unique_slug(text, keep) == expected


def report_of(datasets: list[str], models: list[str]) -> Report:
    cells = [(dataset, model) for dataset in datasets for model in models]
    results = [
        make_result(
            dataset=dataset,
            model=model,
            cell_id=f"c{index}",
            metrics={"train": SPLIT, "test": SPLIT},
        )
        for index, (dataset, model) in enumerate(cells)
    ]
    return lecture_report(tables({"run": results}))


def stems(report: Report) -> list[str]:
    return [block.stem for block in report.blocks if isinstance(block, Figure)]


def test_models_a_slug_cannot_tell_apart_get_their_own_confusion_plots():
    names = stems(report_of(["mnist"], ["my_models.py:Ä", "my_models.py:Ö"]))
    assert len(names) == len(set(names)) == 5
    assert "mnist-confusion-my_models-py-35d2b1af" in names


@pytest.mark.slow
def test_datasets_a_slug_cannot_tell_apart_write_their_own_plot_files(tmp_path: Path):
    report = report_of(["idx:/s/cä", "idx:/s/cö"], ["naive_bayes"])
    write_report(report, {"md": tmp_path / "report.md"})
    assert len(list((tmp_path / "plots").glob("*.png"))) == 8  # four per dataset
    assert (tmp_path / "plots" / "idx-s-c-a3aecdee-per-class.svg").is_file()
    assert (tmp_path / "plots" / "idx-s-c-a8e29780-per-class.svg").is_file()


def test_slug_safe_names_keep_their_plain_plot_names():
    assert stems(report_of(["mnist"], ["naive_bayes"])) == [
        "mnist-accuracy-vs-fit-time",
        "mnist-learning-curves",
        "mnist-per-class",
        "mnist-confusion-naive_bayes",
    ]
