"""What the studies' own tables and plots share: a cell's name in a study, its mean learning
history, a line plot of one history column, and a claim's verdict from the paired tests."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, cast

import pandas as pd
from matplotlib.figure import Figure as MatplotlibFigure
from matplotlib.ticker import MaxNLocator

from nnbench.compare import ALPHA, Pairing, PairResult, compare_pairings, decisive
from nnbench.presentation import MISSING, p_text
from nnbench.report.blocks import Figure
from nnbench.report.plots import new_figure
from nnbench.report.sections import plot_name
from nnbench.stats import CellSummary

#: what the numbers say of a claim that one model beats another
HELD, NOT_HELD, UNDECIDED = "held", "did not hold", "not decided: difference within noise"


def evidence(result: PairResult) -> str:
    """A paired comparison's numbers, in words."""
    if result.seed is None:
        return (
            f"mean difference {result.diff:+.4f} over {result.n} seeds, {result.test} "
            f"p = {p_text(result.p)}"
        )
    return (
        f"difference {result.diff:+.4f} (95% interval {result.ci_low:+.4f} to "
        f"{result.ci_high:+.4f}), b = {result.b}, c = {result.c} of {result.n:,} test images, "
        f"McNemar p = {p_text(result.p)}"
    )


def paired_verdict(
    model: CellSummary, reference: CellSummary, expect_better: bool = True, alpha: float = ALPHA
) -> tuple[str, str]:
    """Whether ``model`` beats ``reference`` (or, with ``expect_better`` False, does not), by the
    paired tests on their per-image predictions: :data:`HELD`, :data:`NOT_HELD` or
    :data:`UNDECIDED`, and the numbers that decide it."""
    pairing = Pairing(model.dataset, model.model, reference.model, model, reference)
    found = decisive(compare_pairings([pairing], alpha))[-1]
    if found.p is None:
        return f"not decided: {found.note}", "no paired test"
    if expect_better:
        verdict = {"better": HELD, "worse": NOT_HELD}.get(found.verdict, UNDECIDED)
    else:
        verdict = NOT_HELD if found.verdict == "better" else HELD
    return verdict, evidence(found)


def variant_name(cell: CellSummary) -> str:
    """The suite's name of the cell's variant, without its grid values (``adam`` of ``adam,
    learning_rate=0.01``), else the model's name."""
    label = cell.protocol.get("variant") or ""
    name = label.split(", ")[0]
    return name if name and "=" not in name else cell.model


def param(cell: CellSummary, name: str) -> Any:
    """A parameter the cell ran with (None when it has none of that name)."""
    return cell.protocol["params"].get(name)


def test_accuracy(cell: CellSummary) -> float:
    """The mean test accuracy of a cell that a claim has seen succeed; ValueError for one that
    did not."""
    found = cell.accuracy("test")
    if found is None:
        raise ValueError(f"{cell.model} on {cell.dataset} has no test accuracy")
    return found.mean


def model_info(cell: CellSummary) -> list[dict[str, Any]]:
    """The model's own facts (``model_info``) of each successful seed: free-form, each model
    records its own."""
    return [json.loads(text) for text in cell.with_status("ok")["model_info"].dropna()]


def mean_history(cell: CellSummary, epochs: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the cell's learning history by epoch, the mean over its seeds."""
    history = cell.select(epochs).dropna(subset=[column])
    return cast(pd.Series, history.groupby("epoch")[column].mean())


def losses_text(cell: CellSummary, epochs: pd.DataFrame) -> str:
    """``2.301 → 0.412 → …``: the training loss by epoch (mean over seeds)."""
    losses = mean_history(cell, epochs, "train_loss")
    return " → ".join(f"{loss:.3f}" for loss in losses) if len(losses) else MISSING


def train_loss_figure(
    dataset: str, title: str, stem: str, caption: str, curves: Sequence[tuple[str, pd.Series]]
) -> Figure:
    """The report's figure of ``curves``, training loss per epoch (log scale), written as
    ``plots/<dataset>-<stem>``."""
    return Figure(
        f"{plot_name(dataset)}-{stem}",
        caption,
        functools.partial(
            history_plot, f"{title}: training loss", curves, "training loss", log_y=True
        ),
    )


def history_plot(
    title: str,
    curves: Sequence[tuple[str, pd.Series]],
    ylabel: str,
    xlabel: str = "epoch",
    log_y: bool = False,
) -> MatplotlibFigure:
    """One line per (label, history) with a point per epoch."""
    figure, axes = new_figure("learning-curves", title)
    for index, (label, curve) in enumerate(curves):
        axes.plot(curve.index, curve.to_numpy(), marker="o", color=f"C{index}", label=label)
    if log_y:
        axes.set_yscale("log")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure
