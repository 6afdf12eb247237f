"""The activations study: the dense net's hidden activation, beside the multinomial logit.

Its table makes two of the lecture's points measurable: a net of linear layers is one linear
map, so it is a multinomial logit and can be no better than one; and the binary step has a zero
gradient almost everywhere, so no layer below it learns by gradient.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from nnbench.presentation import MISSING, Table, fmt, status_cell
from nnbench.report.blocks import Block, Figure, Heading, Items, Paragraph, TableBlock
from nnbench.report.sections import ReportInput, environment, plot_name
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary
from nnbench.studies.common import history_plot, losses_text, mean_history, variant_name
from nnbench.studies.study import Study

#: a test-accuracy difference this small is within seed noise: the dense net's seeds 0-2 on
#: MNIST spread with sd 0.0043 (docs/ci.md)
SEED_NOISE = 0.005
#: the rows that are not nets: the multinomial logits, by model
LOGITS = {
    "sklearn.linear_model:LogisticRegression": "multinomial logit (scikit-learn, L2, C = 1)",
    "lasso_logit": "multinomial logit (the lecture's LASSO, L1, C = 0.1)",
}


def row_name(cell: CellSummary) -> str:
    """The activation's name, or which logit the row is."""
    return LOGITS.get(cell.model) or variant_name(cell)


def accuracy_of(cells: Sequence[CellSummary], name: str) -> float | None:
    """The mean test accuracy of the row called ``name`` (None when it did not succeed)."""
    for cell in cells:
        if row_name(cell).startswith(name) and cell.accuracy("test") is not None:
            return cell.accuracy("test").mean
    return None


def claims(cells: Sequence[CellSummary]) -> list[str]:
    """The two claims, each with the numbers that decide it here."""
    found = []
    linear, logit = accuracy_of(cells, "linear"), accuracy_of(cells, "multinomial logit")
    if linear is not None and logit is not None:
        verdict = "holds" if linear <= logit + SEED_NOISE else "does not hold"
        found.append(
            f"The linear net is no better than the multinomial logit: {verdict} here. Test "
            f"accuracy {linear:.4f} against {logit:.4f} ({linear - logit:+.4f}; differences "
            f"within {SEED_NOISE} are seed noise)."
        )
    step = accuracy_of(cells, "binary_step")
    n_classes = len(cells[0].classes()) if cells[0].succeeded else 0
    if step is not None and n_classes:
        chance = 1 / n_classes
        found.append(
            f"The binary step cannot train by gradient: test accuracy {step:.4f} against chance "
            f"1/{n_classes} = {chance:.4f} ({step - chance:+.4f}). The layers below the step "
            "get a zero gradient and keep their initial weights; only the output layer learns, "
            "on the step's fixed random features."
        )
    return found


def dataset_section(cells: Sequence[CellSummary], given: ReportInput) -> list[Block]:
    """One dataset's table of activations, and the claims it decides."""
    title = dataset_title(cells[0])
    rows = [
        [
            row_name(cell),
            fmt(cell.accuracy("test"), ".4f"),
            fmt(cell.accuracy("train"), ".4f"),
            MISSING if cell.model in LOGITS else losses_text(cell, given.tables.epochs),
            fmt(cell.timing("fit_s"), ".1f"),
            status_cell(cell),
        ]
        for cell in cells
    ]
    headers = ["hidden activation", "test acc", "train acc", "train loss by epoch", "fit s"]
    blocks: list[Block] = [
        Heading(f"Activations on {title}", 2),
        TableBlock(Table([*headers, "status"], rows, "lrrlrl"), f"Hidden activations on {title}."),
        Paragraph(
            "Leaky ReLU is max(0.01x, x): the lecture's “max(.01, x)” is read as this usual form. "
            "The binary step is 1 for x > 0 and 0 for x < 0. Every net has the same layers, "
            "epochs, batch size, optimiser and seed. The claims compare the linear net with the "
            "first multinomial logit listed: scikit-learn's, nearly unpenalised."
        ),
    ]
    if claims(cells):
        blocks.append(Items(claims(cells)))
    curves = [
        (row_name(cell), mean_history(cell, given.tables.epochs, "train_loss"))
        for cell in cells
        if cell.model not in LOGITS and cell.succeeded
    ]
    if given.with_plots and curves:
        blocks.append(
            Figure(
                f"{plot_name(cells[0].dataset)}-activations-train-loss",
                "Training loss per epoch of each hidden activation.",
                functools.partial(
                    history_plot, f"{title}: training loss", curves, "training loss", log_y=True
                ),
            )
        )
    return blocks


def activations(given: ReportInput) -> list[Block]:
    """A section per dataset."""
    return [
        block for cells in given.by_dataset().values() for block in dataset_section(cells, given)
    ]


STUDY = Study(
    name="activations",
    description="The dense net with ReLU, leaky ReLU, sigmoid, linear and binary-step hidden "
    "layers, beside the multinomial logit.",
    suite=Path(__file__).with_name("activations.toml"),
    sections=(activations, environment),
)
