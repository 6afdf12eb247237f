"""The activations study: the dense net's hidden activation, beside the multinomial logit.

Its table makes two of the lecture's points measurable: a net of linear layers is one linear
map, so it is a multinomial logit and can be no better than one; and the binary step has a zero
gradient almost everywhere, so no layer below it learns by gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nnbench.presentation import MISSING, Table, fmt, status_cell
from nnbench.report.blocks import Block, Heading, Items, Paragraph, TableBlock
from nnbench.report.sections import ReportInput, environment, per_dataset
from nnbench.report.tables import dataset_title
from nnbench.stats import CellSummary
from nnbench.studies.common import (
    HELD,
    NOT_HELD,
    losses_text,
    mean_history,
    model_info,
    paired_verdict,
    test_accuracy,
    train_loss_figure,
    variant_name,
)
from nnbench.studies.study import Study

#: the rows that are not nets: the multinomial logits, by model
LOGITS = {
    "sklearn.linear_model:LogisticRegression": "multinomial logit (scikit-learn, L2, C = 1)",
    "lasso_logit": "multinomial logit (the lecture's LASSO, L1, C = 0.1)",
}


def row_name(cell: CellSummary) -> str:
    """The activation's name, or which logit the row is."""
    return LOGITS.get(cell.model) or variant_name(cell)


def row_of(cells: Sequence[CellSummary], name: str) -> CellSummary | None:
    """The successful row called ``name`` (or starting so), if any."""
    found = (c for c in cells if row_name(c).startswith(name) and c.accuracy("test") is not None)
    return next(found, None)


def claims(cells: Sequence[CellSummary]) -> list[str]:
    """The two claims, each with its verdict and the numbers that decide it here."""
    found = []
    linear, logit = row_of(cells, "linear"), row_of(cells, "multinomial logit")
    if linear is not None and logit is not None:
        verdict, numbers = paired_verdict(linear, logit, expect_better=False)
        found.append(
            f"The linear net is no better than the multinomial logit: {verdict}. Test accuracy "
            f"{test_accuracy(linear):.4f} against {test_accuracy(logit):.4f}; "
            f"paired on the same test images: {numbers}."
        )
    step = next((cell for cell in cells if row_name(cell) == "binary_step"), None)
    if step is not None and step.succeeded:
        found.append(binary_step_claim(step))
    return found


def binary_step_claim(step: CellSummary) -> str:
    """Whether the layers below the binary step learned, and what the net reached anyway."""
    info = model_info(step)[0]
    hidden = info["layers_with_weights"] - 1
    untrained = [number for number in info["untrained_layers"] if number <= hidden]
    verdict = HELD if len(untrained) == hidden else NOT_HELD
    accuracy, chance = test_accuracy(step), 1 / len(step.classes())
    return (
        f"The binary step cannot train by gradient: {verdict} for the layers below it. "
        f"{len(untrained)} of its {hidden} hidden layers ended training with exactly their "
        "initial weights (their gradient is zero). The output layer, above the last step, "
        f"still learns, on the steps' fixed random features: test accuracy {accuracy:.4f} "
        f"against chance 1/{len(step.classes())} = {chance:.4f} ({accuracy - chance:+.4f})."
    )


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
            train_loss_figure(
                cells[0].dataset,
                title,
                "activations-train-loss",
                "Training loss per epoch of each hidden activation.",
                curves,
            )
        )
    return blocks


STUDY = Study(
    name="activations",
    description="The dense net with ReLU, leaky ReLU, sigmoid, linear and binary-step hidden "
    "layers, beside the multinomial logit.",
    suite=Path(__file__).with_name("activations.toml"),
    sections=(per_dataset(dataset_section), environment),
)
