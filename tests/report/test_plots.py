"""Plots: each PNG is written beside the report at its expected pixel size and is not blank;
the Pareto front is exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.report.document import build_report
from nnbench.report.output import write_report
from nnbench.report.plots import DPI, SIZES, pareto_front
from tests.report.sample import sample_tables

STEMS = {
    "idx-data-hand_made-100-accuracy-vs-fit-time": "accuracy-vs-fit-time",
    "idx-data-hand_made-100-learning-curves": "learning-curves",
    "idx-data-hand_made-100-per-class": "per-class",
    "idx-data-hand_made-100-confusion-naive_bayes": "confusion",
    "idx-data-hand_made-100-confusion-dense_nn": "confusion",
    "mnist-accuracy-vs-fit-time": "accuracy-vs-fit-time",
    "mnist-learning-curves": "learning-curves",
    "mnist-per-class": "per-class",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    report = build_report(sample_tables(), targets=[0.9])
    write_report(report, {"md": folder / "report.md", "html": folder / "report.html"})
    return folder


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
