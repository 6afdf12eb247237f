"""Rendering: golden Markdown and LaTeX of a report whose names hold LaTeX's special
characters, exact escaping, a self-contained HTML page, and the CSV of the numbers."""

from __future__ import annotations

import base64
import io
import os
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from nnbench.report.blocks import Figure, TableBlock
from nnbench.report.output import render_text
from nnbench.report.render import latex_escape
from tests.report.sample import NASTY_ERROR, lecture_report, sample_tables

GOLDEN = Path(__file__).parent / "golden"
#: set to regenerate the golden files, then review the diff before committing
REGENERATE = os.environ.get("NNBENCH_REGENERATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def report():
    return lecture_report(sample_tables(), targets=[0.9])


@pytest.mark.slow
@pytest.mark.parametrize("format_name, file_name", [("md", "report.md"), ("latex", "report.tex")])
def test_markdown_and_latex_match_the_golden_files(report, format_name, file_name):
    text = render_text(report, format_name)
    if REGENERATE:
        (GOLDEN / file_name).write_text(text, encoding="utf-8")
    assert text == (GOLDEN / file_name).read_text(encoding="utf-8")


def test_every_latex_special_character_is_escaped():
    assert latex_escape(NASTY_ERROR) == (
        r"ValueError: x\_\{1\} \& y\textasciicircum{}2 \textasciitilde{} 100\% \#3 \$5 "
        r"\textbackslash{}path \textless{}a\textbar{}b\textgreater{} [U+03B1] [U+2713] o"
    )
    assert latex_escape("Müller, 25 °C") == "Müller, 25 °C"  # Latin-1 reads as it is
    assert (
        latex_escape("0.97 ± 0.01 – n ≥ 3")
        == r"0.97 \ensuremath{\pm} 0.01 -- n \ensuremath{\geq} 3"
    )


class PageParser(HTMLParser):
    """Collects the tables, images, captions and every URL-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables, self.images, self.urls, self.captions = 0, [], [], []
        self.policy = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tables += tag == "table"
        self.in_caption = tag == "caption"
        if tag == "img":
            self.images.append(attributes["src"])
        if attributes.get("http-equiv") == "Content-Security-Policy":
            self.policy = attributes["content"]
        self.urls += [value for key, value in attrs if key in ("src", "href", "action", "data")]

    def handle_data(self, data):
        if self.in_caption:
            self.captions.append(data)
            self.in_caption = False


@pytest.mark.slow
def test_the_html_page_holds_every_table_and_embeds_every_plot(report):
    page = PageParser()
    page.feed(render_text(report, "html"))
    tables = [block for block in report.blocks if isinstance(block, TableBlock)]
    figures = [block for block in report.blocks if isinstance(block, Figure)]
    assert page.tables == len(tables) == 13
    assert page.captions == [block.caption for block in tables]
    assert len(page.images) == len(figures) == 10
    for source in page.images:
        prefix = "data:image/png;base64,"
        assert source.startswith(prefix)
        assert base64.b64decode(source[len(prefix) :]).startswith(b"\x89PNG\r\n\x1a\n")
    assert page.urls == page.images  # nothing else is referenced: no link, script or stylesheet
    assert page.policy == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def test_the_csv_holds_the_numbers_with_the_lecture_beside_them(report):
    frame = pd.read_csv(io.StringIO(render_text(report, "csv")))
    test = frame[(frame.metric == "accuracy") & (frame.split == "test") & (frame["class"] == "All")]
    assert test[["dataset", "model", "mean", "n"]].values.tolist() == [
        ["idx:/data/hand_made 100%", "naive_bayes", 0.75, 1],
        ["idx:/data/hand_made 100%", "dense_nn", 0.9, 2],
        ["mnist", "naive_bayes", 0.84, 1],
    ]
    assert test.published.isna().tolist() == [True, True, False]  # the lecture used MNIST only
    assert test.published.iloc[2] == 0.82
    dense = frame[
        (frame.model == "dense_nn") & (frame["class"] == "dog 50%") & (frame.split == "test")
    ]
    # seeds 0 and 1: 9/10 and 8/10; sd 0.0707, half-width 12.706205 * 0.0707 / sqrt(2) = 0.635
    assert dense[["mean", "sd", "ci95_half_width", "n"]].values.tolist() == [
        [
            pytest.approx(0.85),
            pytest.approx(0.0707107, rel=1e-5),
            pytest.approx(0.635310, rel=1e-5),
            2,
        ]
    ]
    reach = frame[frame.metric == "time_to_test_accuracy_s"]
    assert reach[["model", "target", "text"]].values.tolist() == [
        ["naive_bayes", 0.9, "not reached (best 0.7500)"],
        ["dense_nn", 0.9, "2.2 ± 3.2 s (epoch 2)"],
        ["naive_bayes", 0.9, "not reached (best 0.8400)"],
    ]
    # the dense net's seeds reach 0.9 at 2.0 and 2.5 s: mean 2.25, sd 0.3536, n 2
    assert reach.iloc[1][["mean", "sd", "n"]].tolist() == pytest.approx([2.25, 0.3535534, 2])
    assert reach.iloc[0][["mean", "n"]].fillna(-1).tolist() == [-1, 0]
    assert set(frame[frame.model == "cnn"].status) == {f"failed: {NASTY_ERROR}"}
