"""A history as a report's blocks: per series a table (commit, start, metric ± interval, n,
fit time, steps) and, when written to files, a plot; then the steps and how they were found.
Printed as Markdown; written as history.md, history.html and plots/ by the report's
renderers."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from nnbench.files import slug
from nnbench.history.detect import History, Series
from nnbench.history.plots import history_plot
from nnbench.presentation import Table, fmt, p_text
from nnbench.report.blocks import Block, Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.document import Report
from nnbench.report.output import write_report
from nnbench.report.render import markdown
from nnbench.stats.steps import Step

METHOD = (
    "How steps are found (docs/history.md): each commit is compared with the commit before it. "
    "The metric steps where both stored per-image predictions for a seed they share and "
    "nnbench compare's paired test (McNemar's exact test for one seed, the paired t-test over "
    "two to five seeds, Wilcoxon's from six) is significant after Holm's adjustment over the "
    "series' comparisons; or where the commit's results differ from the level since the last "
    "step (Student's two-sample t-test on the results) after Bonferroni's adjustment over the "
    "series' comparisons. A series with predictions gives each test α/2. The fit time steps "
    "where the geometric means' ratio exceeds {ratio:g} either way and the same level test on "
    "log fit time is significant. α = {alpha:g}."
)


def step_mark(step: Step, label: str) -> str:
    """A step as the table marks it."""
    if step.kind == "time":
        return f"step: fit time ×{step.after / step.before:.2f} ({step.change.value})"
    return f"step: {label} {step.change.value}"


def step_lines(series: Series, label: str) -> list[str]:
    """Each step of the series in words, with the tests' p-values."""
    lines = []
    for point in series.points:
        for step in point.steps:
            if step.kind == "time":
                what = "fit time"
                values = (
                    f"{step.before:.2f} s → {step.after:.2f} s, ×{step.after / step.before:.2f}"
                )
            else:
                what, values = label, f"{step.before:.4f} → {step.after:.4f}"
            tests = [f"level t p (Bonferroni) {p_text(step.level_p)}"]
            if step.paired_test is not None:
                tests.insert(0, f"{step.paired_test} p (Holm) {p_text(step.paired_p)}")
            lines.append(
                f"{series.title}: {what} {step.change.value} from {point.revision.label} on "
                f"({values}; {'; '.join(tests)})"
            )
    return lines


def series_table(series: Series, label: str) -> Table:
    """One row per commit of the series."""
    rows = [
        [
            point.revision.label,
            point.revision.time,
            fmt(point.metric, ".4f"),
            str(point.metric.n),
            fmt(point.fit_s, ".2f"),
            "; ".join(step_mark(step, label) for step in point.steps),
        ]
        for point in series.points
    ]
    headers = ["commit", "started (UTC)", f"test {label}", "n", "fit s", "steps"]
    return Table(headers, rows, "llrrrl")


def blocks(history: History, figures: bool) -> list[Block]:
    """The history's blocks; a plot per series when ``figures``."""
    label = history.metric.label
    synthetic = any(series.synthetic for series in history.series)
    found: list[Block] = [
        Heading(f"History of test {label}", 1),
        Paragraph(
            f"{history.results} results from {history.runs} run folder"
            f"{'' if history.runs == 1 else 's'}, {len(history.series)} series, commits "
            f"ordered by {history.ordered_by}. Each row pools the results of "
            "one commit (mean ± 95% t-interval over them; n results)."
            + (
                " Synthetic data are marked (synthetic data): made up, not measured."
                if synthetic
                else ""
            )
        ),
    ]
    for index, series in enumerate(history.series):
        caption = f"{series.title}: test {label} and fit time by commit"
        found += [Heading(series.title, 2), TableBlock(series_table(series, label), caption)]
        if figures:
            draw = functools.partial(history_plot, series, history.metric)
            found.append(Figure(f"history-{index + 1}-{slug(series.title)}", caption, draw))
    lines = [line for series in history.series for line in step_lines(series, label)]
    found += [Heading("Steps", 2), Items(lines) if lines else Paragraph("No step found.")]
    found.append(Paragraph(METHOD.format(ratio=history.time_ratio, alpha=history.alpha)))
    return found


def history_markdown(history: History) -> str:
    """The history as Markdown, without plots."""
    return markdown(Report(blocks(history, figures=False), pd.DataFrame()))


def write_history(history: History, output: Path) -> list[Path]:
    """Write history.md, history.html (plots embedded) and plots/ (PNG and SVG) to ``output``,
    each file atomically; the paths written."""
    report = Report(blocks(history, figures=True), pd.DataFrame())
    return write_report(report, {"md": output / "history.md", "html": output / "history.html"})
