"""The blocks a report is made of, in reading order: headings, paragraphs, lists, tables and
figures. Sections (:mod:`nnbench.report.sections`) make them; renderers write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure as MatplotlibFigure

from nnbench.presentation import Table


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    lines: list[str]


@dataclass(frozen=True)
class TableBlock:
    table: Table
    caption: str


@dataclass(frozen=True)
class Figure:
    """A plot: written as ``plots/<stem>.png`` and ``.svg``; ``draw`` makes it."""

    stem: str
    caption: str
    draw: Callable[[], MatplotlibFigure]


Block = Heading | Paragraph | Items | TableBlock | Figure
