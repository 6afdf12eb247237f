"""The losses study: which loss goes with which outcome. Binary cross-entropy against the hinge
loss on the candidates' gender (or its synthetic stand-in, labelled so, when the photos are
absent); categorical cross-entropy against the quadratic loss on MNIST. The report is the
comparison every run gets, one row per loss, and the claim that cross-entropy, the loss the
lecture pairs with each outcome, does at least as well, decided by the paired tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nnbench.report.blocks import Block, Heading, Items
from nnbench.report.sections import ReportInput, comparisons, environment, per_dataset
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary
from nnbench.studies.common import paired_verdict, test_accuracy, variant_name
from nnbench.studies.study import Study

#: the variant of the loss the lecture pairs with each outcome
CROSS_ENTROPY = "cross_entropy"


def claim_lines(cells: Sequence[CellSummary]) -> list[str]:
    """Cross-entropy against each other loss of the dataset, by the paired tests."""
    ran = [cell for cell in cells if cell.succeeded]
    ours = next((cell for cell in ran if variant_name(cell) == CROSS_ENTROPY), None)
    if ours is None:
        return []
    lines = []
    for other in (cell for cell in ran if cell is not ours):
        verdict, numbers = paired_verdict(ours, other)
        lines.append(
            f"Cross-entropy trains a better classifier than the {variant_name(other)} loss: "
            f"{verdict}. Test accuracy {test_accuracy(ours):.4f} against "
            f"{test_accuracy(other):.4f}; paired on the same test images: {numbers}."
        )
    return lines


def claims(cells: Sequence[CellSummary], given: ReportInput) -> list[Block]:
    """One dataset's claim, decided by the numbers."""
    lines = claim_lines(cells)
    if not lines:
        return []
    return [Heading(f"Which loss on {dataset_title(cells[0])}?", 2), Items(lines)]


STUDY = Study(
    name="losses",
    description="Binary cross-entropy against hinge on the candidates' gender, and categorical "
    "cross-entropy against quadratic loss on MNIST.",
    suite=Path(__file__).with_name("losses.toml"),
    sections=(comparisons(), per_dataset(claims), environment),
    fallbacks={"candidates": "faces-synthetic"},
)
