"""Turn a report into text, and write its files: the chosen formats and the plots beside them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nnbench.files import atomic_write_bytes, atomic_write_text
from nnbench.parquet_files import write_parquet
from nnbench.report import plots
from nnbench.report.blocks import Figure
from nnbench.report.document import Report
from nnbench.report.render import PLOTS_FOLDER, csv_text, html_page, latex, markdown

Images = dict[str, dict[str, bytes]]


def render_figures(report: Report) -> Images:
    """Every figure of the report as ``{stem: {"png": bytes, "svg": bytes}}``."""
    return {
        block.stem: plots.render(block.draw())
        for block in report.blocks
        if isinstance(block, Figure)
    }


def render_text(report: Report, format_name: str, images: Images | None = None) -> str:
    """The report in ``format_name`` ("md", "latex", "html" or "csv"). Markdown and LaTeX
    refer to the plots in ``plots/``; HTML embeds ``images`` (drawn here when not given)."""
    if format_name == "md":
        return markdown(report)
    if format_name == "latex":
        return latex(report)
    if format_name == "html":
        drawn = images if images is not None else render_figures(report)
        return html_page(report, {stem: image["png"] for stem, image in drawn.items()})
    return csv_text(report)


def write_report(report: Report, files: Mapping[str, Path]) -> list[Path]:
    """Write the report in each format to its file (``{"md": path, ...}``), and, unless only
    CSV is asked for, every plot as PNG and SVG in ``plots/`` beside the first file; a summarised
    report's table also as Parquet beside the CSV. Each file is written atomically. Returns the
    paths written."""
    written: list[Path] = []
    images: Images = {}
    if set(files) - {"csv"}:
        folder = next(iter(files.values())).parent / PLOTS_FOLDER
        images = render_figures(report)
        for stem, image in images.items():
            for kind, data in image.items():
                atomic_write_bytes(folder / f"{stem}.{kind}", data)
                written.append(folder / f"{stem}.{kind}")
    for format_name, path in files.items():
        atomic_write_text(path, render_text(report, format_name, images))
        written.append(path)
    if report.summarised and "csv" in files:
        written.append(write_parquet(files["csv"].with_suffix(".parquet"), report.summary))
    return written
