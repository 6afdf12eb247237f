"""The best of a grid: for a model that ran in several configurations on a dataset, which one
is chosen, and on what. With a validation hold-out it is chosen on validation accuracy and its
test accuracy was scored once; without one, the test set both chose it and scores it, which is
optimistic, and the report says so."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nnbench.presentation import Labels
from nnbench.stats import CellSummary


def chosen(cells: Sequence[CellSummary], scores: pd.DataFrame) -> tuple[CellSummary, str] | None:
    """The configuration with the best mean accuracy on the split the cells watch (validation
    when every one has a hold-out, else test), and that split; None when none succeeded."""
    split = "validation" if all(cell.watched == "validation" for cell in cells) else "test"
    found = [(cell.score(scores, "accuracy", split), cell) for cell in cells]
    rated = [(estimate.mean, cell) for estimate, cell in found if estimate is not None]
    if not rated:
        return None
    return max(rated, key=lambda pair: pair[0])[1], split


def choice_lines(cells: Sequence[CellSummary], labels: Labels, scores: pd.DataFrame) -> list[str]:
    """One line per model with two or more successful configurations: the one chosen, on
    which split, and whether the test set chose it (optimistic)."""
    by_model: dict[str, list[CellSummary]] = {}
    for cell in cells:
        if cell.succeeded:
            by_model.setdefault(cell.model, []).append(cell)
    lines = []
    for model, configurations in by_model.items():
        found = chosen(configurations, scores) if len(configurations) > 1 else None
        if found is None:
            continue
        best, split = found
        accuracy = best.score(scores, "accuracy", split)
        test = best.score(scores, "accuracy", "test")
        assert accuracy is not None and test is not None
        head = f"Of the {len(configurations)} configurations of {model}, {labels[best]}"
        if split == "validation":
            lines.append(
                f"{head} is chosen on validation accuracy ({accuracy.mean:.4f}); its test "
                f"accuracy, {test.mean:.4f}, was scored once, after the choice."
            )
        else:
            lines.append(
                f"{head} has the best test accuracy ({test.mean:.4f}): chosen on the test set "
                "(optimistic), as the test set both chose it and scores it. Hold out a "
                "validation split (--validation) to choose without touching the test set."
            )
    return lines
