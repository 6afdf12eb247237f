"""Which differences are real: the paired comparisons of :mod:`nnbench.compare` as a table, as
the report's section (with the steps of a study's ordering each dataset supports), and the
ranks across three or more datasets."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pandas as pd

from nnbench.compare import ALPHA, PairResult, compare_pairings, decisive, pairings_within
from nnbench.presentation import MISSING, Table, label_cells, p_text
from nnbench.report import evidence_plots
from nnbench.report.blocks import Block, Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.sections import ReportInput, Section
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary
from nnbench.stats.ranks import groups_not_different, rank_test

METHOD = (
    "Each row pairs two models on the same test images and seed. b counts the images only the "
    "model got right, c those only the reference got right, so diff = (b − c) / n. The interval "
    "is a paired bootstrap over test images (2,000 resamples, seeded); p is McNemar's exact "
    "test (two-sided binomial of b out of b + c); p (Holm) adjusts it over every comparison of "
    "the table. With two or more seeds, a row without a seed tests the per-seed differences "
    "(paired t-test, or Wilcoxon's signed-rank test from 6 seeds on). Verdicts at α = {alpha}."
)


#: what a paired verdict says of a step "reference < model" of an ordering
STEP_VERDICTS = {
    "better": "supported",
    "worse": "contradicted, the order is reversed",
    "no detectable difference": "not decided, the difference is within noise",
}


def signed(value: float | None, spec: str = "+.4f") -> str:
    """A difference with its sign, or a dash."""
    return MISSING if value is None else format(value, spec)


def paired_table(results: Sequence[PairResult]) -> Table:
    """One row per comparison: the pair, seed, n, difference and its interval, b and c, p and
    Holm's p, the verdict, and any note."""
    rows = [
        [
            result.model,
            result.reference,
            "all" if result.seed is None else str(result.seed),
            MISSING if result.n is None else f"{result.n:,}",
            signed(result.diff),
            MISSING
            if result.ci_low is None
            else f"{signed(result.ci_low)} to {signed(result.ci_high)}",
            MISSING if result.b is None else str(result.b),
            MISSING if result.c is None else str(result.c),
            p_text(result.p),
            p_text(result.p_adjusted),
            result.verdict,
            "; ".join(filter(None, (result.test if result.seed is None else "", result.note))),
        ]
        for result in results
    ]
    headers = ["model", "reference", "seed", "n", "diff", "95% interval", "b", "c", "p"]
    headers += ["p (Holm)", "verdict", "note"]
    return Table(headers, rows, "llr" + "r" * 7 + "ll")


def step_lines(results: Sequence[PairResult], steps: set[tuple[str, str]]) -> list[str]:
    """What the data say of each step (model, reference) of an ordering: supported, not
    decided, or contradicted."""
    lines = []
    for result in decisive(results):
        if (result.model, result.reference) not in steps:
            continue
        claim = f"{result.reference} < {result.model}"
        if result.p is None:
            lines.append(f"{claim}: not tested ({result.note}).")
            continue
        numbers = f"diff {signed(result.diff)}, p (Holm) {p_text(result.p_adjusted)}"
        lines.append(f"{claim}: {STEP_VERDICTS[result.verdict]} ({numbers}).")
    return lines


def dataset_evidence(
    cells: Sequence[CellSummary], order: Sequence[str], alpha: float
) -> list[Block]:
    """One dataset's comparisons, with the steps of ``order`` it supports."""
    pairings = pairings_within(cells, order=order)
    results = compare_pairings(pairings, alpha)
    if not results:
        return []
    blocks: list[Block] = [
        Heading(dataset_title(cells[0]), 3),
        TableBlock(paired_table(results), f"Paired comparisons on {dataset_title(cells[0])}."),
    ]
    steps = {
        (pairing.model, pairing.reference)
        for pairing in pairings
        if {pairing.model_cell.model, pairing.reference_cell.model} <= set(order)
        and pairing.model_cell.model != pairing.reference_cell.model
    }
    lines = step_lines(results, steps)
    if lines:
        blocks += [Paragraph("The ordering " + " < ".join(order) + ", step by step:"), Items(lines)]
    return blocks


def rank_blocks(given: ReportInput, alpha: float) -> list[Block]:
    """Mean ranks, Friedman's test and the critical difference over three or more datasets,
    for the models that ran on all of them."""
    scores: dict[str, dict[str, float]] = {}
    for dataset, cells in given.by_dataset().items():
        for cell, label in label_cells(cells).items():
            found = cell.accuracy("test")
            if found is not None:
                scores.setdefault(dataset, {})[label] = found.mean
    table = pd.DataFrame(scores).T.dropna(axis=1)
    if len(table) < 3 or table.shape[1] < 3:
        return []
    test = rank_test(table, alpha)
    groups = groups_not_different(test)
    rows = [
        [model, f"{rank:.2f}"]
        for rank, model in sorted(zip(test.mean_ranks, test.models, strict=True))
    ]
    text = (
        f"Over {test.n_datasets} datasets ({', '.join(table.index)}), Friedman's test gives "
        f"χ² = {test.statistic:.2f}, p = {p_text(test.p)}. Two models whose mean ranks differ "
        f"by less than the critical difference, {test.critical_difference:.2f} (Nemenyi, "
        f"α = {alpha}), are not shown to differ"
        + (": " + "; ".join(", ".join(group) for group in groups) + "." if groups else ".")
    )
    return [
        Heading("Across datasets", 3),
        TableBlock(Table(["model", "mean rank"], rows, "lr"), "Mean rank (1 = best)."),
        Paragraph(text),
        Figure(
            "critical-difference",
            "Critical-difference diagram: models joined by a bar are not shown to differ.",
            functools.partial(evidence_plots.critical_difference, test),
        ),
    ]


def paired_evidence(order: Sequence[str] = (), alpha: float = ALPHA) -> Section:
    """The section "Which differences are real?": per dataset with two or more successful
    models, their paired comparisons (the steps of ``order``, model names weakest first, when
    its models ran; else every pair), and ranks across three or more datasets."""

    def section(given: ReportInput) -> list[Block]:
        blocks = [
            block
            for cells in given.by_dataset().values()
            for block in dataset_evidence(cells, order, alpha)
        ]
        if not blocks:
            return []
        ranks = rank_blocks(given, alpha)
        if not given.with_plots:
            ranks = [block for block in ranks if not isinstance(block, Figure)]
        return [
            Heading("Which differences are real?", 2),
            Paragraph(METHOD.format(alpha=alpha)),
            *blocks,
            *ranks,
        ]

    return section
