"""Plots: each PNG is written beside the report at its expected pixel size and is not blank;
the Pareto front is exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.report.cost_plots import pareto_front
from nnbench.report.output import render_figures, write_report
from nnbench.report.plots import DPI, SIZES, confusion_counts
from tests.report.sample import lecture_report, sample_tables

STEMS = {
    "idx-data-hand_made-100-2745a821-accuracy-vs-fit-time": "accuracy-vs-fit-time",
    "idx-data-hand_made-100-2745a821-accuracy-vs-latency": "accuracy-vs-latency",
    "idx-data-hand_made-100-2745a821-accuracy-vs-memory": "accuracy-vs-memory",
    "idx-data-hand_made-100-2745a821-learning-curves": "learning-curves",
    "idx-data-hand_made-100-2745a821-per-class": "per-class",
    "idx-data-hand_made-100-2745a821-confusion-naive_bayes": "confusion",
    "idx-data-hand_made-100-2745a821-confusion-dense_nn": "confusion",
    "mnist-accuracy-vs-fit-time": "accuracy-vs-fit-time",
    "mnist-learning-curves": "learning-curves",
    "mnist-per-class": "per-class",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    report = lecture_report(sample_tables(), targets=[0.9])
    write_report(report, {"md": folder / "report.md", "html": folder / "report.html"})
    return folder


@pytest.mark.slow
def test_every_plot_is_written_as_png_and_svg_beside_the_report(written: Path):
    names = sorted(path.name for path in (written / "plots").iterdir())
    assert names == sorted(f"{stem}.{kind}" for stem in STEMS for kind in ("png", "svg"))
    assert sorted(path.name for path in written.iterdir()) == ["plots", "report.html", "report.md"]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_each_png_has_its_size_and_is_not_blank(written: Path, stem: str):
    with Image.open(written / "plots" / f"{stem}.png") as image:
        width, height = SIZES[STEMS[stem]]
        assert image.size == (round(width * DPI), round(height * DPI))
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.var() > 100  # a blank or single-colour image has a variance near 0
    assert (pixels < 128).mean() > 0.005  # some ink: axes, text, marks
    svg = (written / "plots" / f"{stem}.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg


@pytest.mark.parametrize(
    "points, front",
    [
        ([(1, 0.8), (10, 0.9), (100, 0.99)], [0, 1, 2]),
        ([(1, 0.8), (50, 0.92), (10, 0.97), (100, 0.99)], [0, 2, 3]),  # 50 s is beaten by 10 s
        ([(5, 0.9), (5, 0.95), (1, 0.95)], [2]),  # equal accuracy: only the faster counts
        ([(2, 0.5)], [0]),
    ],
)
def test_pareto_front_keeps_only_points_nothing_beats(points, front):
    assert pareto_front(points) == front


def test_the_confusion_matrix_is_the_mean_count_per_seed():
    confusion = sample_tables().confusion
    dense = confusion[(confusion.model == "dense_nn") & (confusion.split == "test")]
    counts, seeds = confusion_counts(dense, ["cat_1", "dog 50%"])
    # seed 0: [[9, 1], [1, 9]]; seed 1: [[10, 0], [2, 8]]
    assert seeds == 2
    assert counts.tolist() == [[9.5, 0.5], [1.5, 8.5]]
    counts, seeds = confusion_counts(dense[dense.seed == 1], ["dog 50%", "cat_1"])
    assert (counts.tolist(), seeds) == ([[8.0, 2.0], [0.0, 10.0]], 1)  # in the order asked for


@pytest.mark.slow
def test_the_same_plot_renders_to_the_same_bytes():
    tables = sample_tables()
    first, second = (render_figures(lecture_report(tables, targets=[0.9])) for _ in range(2))
    assert first.keys() == second.keys() and len(first) == 10
    for stem in first:
        assert first[stem] == second[stem], stem


def test_the_legend_promises_intervals_only_when_some_model_ran_several_seeds():
    from nnbench.presentation import label_cells
    from nnbench.report.cost_plots import CI_LEGEND, FIT_TIME, accuracy_vs_cost
    from nnbench.stats import summarise

    cells = summarise(sample_tables().classes)
    titles = {}
    for dataset in ("idx:/data/hand_made 100%", "mnist"):
        shown = [cell for cell in cells if cell.dataset == dataset and cell.succeeded]
        figure = accuracy_vs_cost(shown, label_cells(shown), FIT_TIME)
        titles[dataset] = figure.axes[0].get_legend().get_title().get_text()
    assert titles == {
        "idx:/data/hand_made 100%": CI_LEGEND,  # the dense net ran two seeds
        "mnist": "one seed each: no interval",
    }


def test_a_long_label_keeps_its_end_in_plots():
    from nnbench.report.plots import LONGEST_LABEL, plot_labels

    path = "/tmp/pytest-of-root/pytest-13/test_a_model_edited_after_a_run0/mine.py:Flaky"
    shown = plot_labels({"a": path, "b": "naive_bayes"})
    assert shown == {"a": "…" + path[1 - LONGEST_LABEL :], "b": "naive_bayes"}
    assert len(shown["a"]) == LONGEST_LABEL and shown["a"].endswith("/mine.py:Flaky")
