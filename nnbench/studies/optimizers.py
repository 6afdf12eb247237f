"""The optimisers study: which optimisers train the lecture's dense net, and how fast.

Each optimiser runs over a grid of learning rates; the report shows, per optimiser, the rate
whose final training loss is lowest (the test set plays no part in the choice), its test
accuracy, its training loss per epoch, its wall time and its time to a target accuracy; and the
whole grid's final training losses, so that the choice can be checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nnbench.presentation import MISSING, Table, fmt
from nnbench.report.blocks import Block, Heading, Items, Paragraph, TableBlock
from nnbench.report.sections import ReportInput, environment, per_dataset, watched_name
from nnbench.report.tables import dataset_title, reach
from nnbench.stats import CellSummary
from nnbench.studies.common import (
    HELD,
    NOT_HELD,
    UNDECIDED,
    losses_text,
    mean_history,
    model_info,
    paired_verdict,
    param,
    test_accuracy,
    train_loss_figure,
    variant_name,
)
from nnbench.studies.study import Study

RATE = "learning_rate"
#: the rows of models that are not the Keras loop's optimisers, by model
NAMES = {"nnbench.models.lbfgs:LbfgsNet": "L-BFGS (scipy)"}


def final_loss(cell: CellSummary, epochs: pd.DataFrame) -> float:
    """The cell's training loss after its last epoch (mean over seeds); NaN when it failed, or
    when any seed's last loss is not finite (it diverged)."""
    history = cell.select(epochs) if cell.succeeded else epochs.iloc[:0]
    last = history[history["epoch"] == history["epoch"].max()]["train_loss"]
    if not len(last) or not all(math.isfinite(loss) for loss in last):
        return math.nan
    return float(last.mean())


def choose(cells: Sequence[CellSummary], epochs: pd.DataFrame) -> CellSummary | None:
    """The cell of lowest final training loss (None when every one failed or diverged)."""
    scored = [(final_loss(cell, epochs), index) for index, cell in enumerate(cells)]
    finite = [(loss, index) for loss, index in scored if not math.isnan(loss)]
    return cells[min(finite)[1]] if finite else None


def by_optimizer(cells: Sequence[CellSummary]) -> dict[str, list[CellSummary]]:
    """The cells of each optimiser (variant, or model without variants), in plan order."""
    grouped: dict[str, list[CellSummary]] = {}
    for cell in cells:
        grouped.setdefault(NAMES.get(cell.model) or variant_name(cell), []).append(cell)
    return grouped


def losses_cell(cell: CellSummary, epochs: pd.DataFrame) -> str:
    """The training loss by epoch; for L-BFGS (no learning rate), by the iterations it
    reported."""
    text = losses_text(cell, epochs)
    if param(cell, RATE) is not None or text == MISSING:
        return text
    iterations = mean_history(cell, epochs, "train_loss").index
    return f"{text} (iterations {', '.join(map(str, iterations))})"


def chosen_row(name: str, cell: CellSummary | None, given: ReportInput) -> list[str]:
    """One optimiser's row: its chosen rate and what that rate gave."""
    if cell is None:
        return [name, "diverged or failed at every rate", *[MISSING] * (5 + len(given.targets))]
    rate = param(cell, RATE)
    return [
        name,
        f"{rate:g}" if rate is not None else "– (line search)",
        fmt(cell.accuracy("test"), ".4f"),
        fmt(cell.accuracy("train"), ".4f"),
        losses_cell(cell, given.tables.epochs),
        fmt(cell.timing("fit_s"), ".1f"),
        *(reach(cell, given.tables.epochs, target).text() for target in given.targets),
    ]


def grid_table(groups: dict[str, list[CellSummary]], epochs: pd.DataFrame) -> Table:
    """Final training loss of every optimiser at every learning rate of the grid."""
    rates = sorted({param(c, RATE) for cells in groups.values() for c in cells} - {None})
    rows = []
    for name, cells in groups.items():
        if all(param(cell, RATE) is None for cell in cells):
            continue
        best = choose(cells, epochs)
        at_rate = {param(cell, RATE): cell for cell in cells}
        row = [name]
        for rate in rates:
            cell = at_rate.get(rate)
            loss = math.nan if cell is None else final_loss(cell, epochs)
            text = MISSING if cell is None else "diverged" if math.isnan(loss) else f"{loss:.4f}"
            row.append(f"{text} (chosen)" if cell is not None and cell is best else text)
        rows.append(row)
    return Table(["optimiser", *(f"rate {rate:g}" for rate in rates)], rows, "l" + "r" * len(rates))


def behind_every(cell: CellSummary, minibatch: dict[str, CellSummary]) -> tuple[str, str]:
    """Whether every minibatch optimiser (at its chosen rate) beats ``cell`` by the paired
    tests: held when each does, did not hold when ``cell`` beats one, else not decided; with
    the numbers of the closest minibatch optimiser."""
    found = {name: paired_verdict(other, cell) for name, other in minibatch.items()}
    verdicts = {verdict for verdict, _ in found.values()}
    if verdicts == {HELD}:
        verdict = HELD
    elif NOT_HELD in verdicts:
        verdict = NOT_HELD
    else:
        verdict = UNDECIDED
    closest = min(minibatch, key=lambda name: test_accuracy(minibatch[name]))
    return verdict, f"the closest, {closest}, against it: {found[closest][1]}"


def claims(chosen: dict[str, CellSummary | None]) -> list[str]:
    """The lecture's point about conventional optimisers, decided by this run's numbers: full-
    batch gradient descent and L-BFGS against every minibatch optimiser at its chosen rate, by
    the paired tests on their test predictions."""
    minibatch = {
        name: cell
        for name, cell in chosen.items()
        if cell is not None and name not in ("gd", *NAMES.values()) and cell.accuracy("test")
    }
    if not minibatch:
        return []
    low = min(test_accuracy(cell) for cell in minibatch.values())
    high = max(test_accuracy(cell) for cell in minibatch.values())
    lines = []
    gd = chosen.get("gd")
    if gd is not None and gd.accuracy("test") is not None:
        verdict, numbers = behind_every(gd, minibatch)
        lines.append(
            f"Full-batch gradient descent is too slow for the net: {verdict}. It reached test "
            f"accuracy {test_accuracy(gd):.4f} in {param(gd, 'epochs')} epochs (one step "
            f"each, {fmt(gd.timing('fit_s'), '.1f')} s); the minibatch optimisers reached "
            f"{low:.4f} to {high:.4f} in the same epochs; {numbers}."
        )
    for name in NAMES.values():
        cell = chosen.get(name)
        if cell is None or cell.accuracy("test") is None:
            continue
        info = model_info(cell)[0]
        verdict, numbers = behind_every(cell, minibatch)
        lines.append(
            f"{name} falls behind every minibatch optimiser: {verdict}. "
            f"{info['iterations']} iterations on {info['n_images']:,} images in "
            f"{fmt(cell.timing('fit_s'), '.1f')} s, to training loss {info['train_loss']:.4f} "
            f"({'converged' if info['converged'] else 'not converged'}) and test accuracy "
            f"{test_accuracy(cell):.4f}; {numbers}."
        )
    return lines


def dataset_section(cells: Sequence[CellSummary], given: ReportInput) -> list[Block]:
    """The optimisers on one dataset: the chosen rates' table, the grid, and the loss curves."""
    title = dataset_title(cells[0])
    groups = by_optimizer(cells)
    chosen = {name: choose(group, given.tables.epochs) for name, group in groups.items()}
    headers = ["optimiser", "learning rate", "test acc", "train acc", "train loss by epoch"]
    watched = "val" if watched_name(cells) == "validation" else "test"
    headers += ["fit s", *(f"time to {watched} acc ≥ {target:g}" for target in given.targets)]
    rows = [chosen_row(name, cell, given) for name, cell in chosen.items()]
    blocks: list[Block] = [
        Heading(f"Optimisers on {title}", 2),
        TableBlock(
            Table(headers, rows, "ll" + "r" * (len(headers) - 2)), f"Optimisers on {title}."
        ),
        Paragraph(
            "Each optimiser's learning rate is the one of the grid below with the lowest final "
            "training loss (Keras's mean over the last epoch's batches); the test set plays no "
            "part in the choice. gd is full-batch gradient "
            "descent: one step per epoch on the whole training set. L-BFGS (scipy's L-BFGS-B "
            "with gradients from Keras) trains the same net on a subset of the training images "
            "(its n_images) with a budget of iterations, choosing its own step by line search. "
            "Fit seconds leave out the per-epoch evaluation."
        ),
        *([Items(claims(chosen))] if claims(chosen) else []),
        Heading("Learning-rate grid", 3),
        TableBlock(grid_table(groups, given.tables.epochs), f"Final training loss on {title}."),
    ]
    curves = [
        (name, mean_history(cell, given.tables.epochs, "train_loss"))
        for name, cell in chosen.items()
        if cell is not None and param(cell, RATE) is not None
    ]
    if given.with_plots and curves:
        blocks.append(
            train_loss_figure(
                cells[0].dataset,
                title,
                "optimizers-train-loss",
                "Training loss per epoch of each optimiser at its chosen learning rate.",
                curves,
            )
        )
    return blocks


STUDY = Study(
    name="optimizers",
    description="Gradient descent, SGD, momentum, AdaGrad, RMSProp and Adam on the dense net, "
    "each at its best learning rate by training loss, and L-BFGS.",
    suite=Path(__file__).with_name("optimizers.toml"),
    sections=(per_dataset(dataset_section), environment),
    targets=(0.95,),
)
