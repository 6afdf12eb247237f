"""What the studies' own tables and plots share: a cell's name in a study, its mean learning
history, and a line plot of one history column."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure as MatplotlibFigure
from matplotlib.ticker import MaxNLocator

from nnbench.presentation import MISSING
from nnbench.report.blocks import Figure
from nnbench.report.plots import new_figure
from nnbench.report.sections import plot_name
from nnbench.stats import CellSummary


def variant_name(cell: CellSummary) -> str:
    """The suite's name of the cell's variant, without its grid values (``adam`` of ``adam,
    learning_rate=0.01``), else the model's name."""
    label = cell.protocol.get("variant") or ""
    name = label.split(", ")[0]
    return name if name and "=" not in name else cell.model


def param(cell: CellSummary, name: str) -> Any:
    """A parameter the cell ran with (None when it has none of that name)."""
    return cell.protocol["params"].get(name)


def model_info(cell: CellSummary) -> list[dict[str, Any]]:
    """The model's own facts (``model_info``) of each successful seed."""
    return [json.loads(text) for text in cell.with_status("ok")["model_info"].dropna()]


def mean_history(cell: CellSummary, epochs: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the cell's learning history by epoch, the mean over its seeds."""
    history = cell.select(epochs).dropna(subset=[column])
    return history.groupby("epoch")[column].mean()


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
        axes.plot(curve.index, curve.values, marker="o", color=f"C{index}", label=label)
    if log_y:
        axes.set_yscale("log")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    return figure
