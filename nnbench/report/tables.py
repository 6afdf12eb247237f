"""The report's tables, as plain rows of text: the lecture's per-class table, the comparison per
dataset with a study's published numbers, time to a target accuracy, and the environment.

Every table is built from the rows of :func:`nnbench.results.load`, grouped into cells by
:func:`nnbench.stats.summarise`; the renderers turn a :class:`Table` into Markdown, LaTeX or
HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nnbench.presentation import (
    MISSING,
    Labels,
    Table,
    environment_facts,
    environments,
    fmt,
    status_cell,
)
from nnbench.result_tables import ALL
from nnbench.stats import CellSummary, Estimate, estimate
from nnbench.stats.intervals import Interval, accuracy_interval

CI_NAME = "half-width of the 95% t-interval"
#: accuracies in a learning history are float32; they are compared with a target at this many
#: decimals, so that 0.97 stored as 0.96999997 still reaches 0.97
ACCURACY_DECIMALS = 6


def dataset_title(cell: CellSummary) -> str:
    """The cell's dataset, marked when its data are synthetic."""
    return f"{cell.dataset} (synthetic data)" if cell.synthetic else cell.dataset


def parameters_cell(cell: CellSummary) -> str:
    """Parameter count; for sparse models, the non-zero coefficients (their range over seeds)
    out of the total."""
    ok = cell.with_status("ok")
    if not cell.succeeded or pd.isna(ok["n_params"].iloc[0]):
        return MISSING
    total = int(ok["n_params"].iloc[0])
    nonzero = sorted({int(count) for count in ok["n_nonzero"].dropna()})
    if not nonzero:
        return f"{total:,}"
    counts = f"{nonzero[0]:,}" if len(nonzero) == 1 else f"{nonzero[0]:,}–{nonzero[-1]:,}"
    return f"{counts} non-zero of {total:,}"


def devices(cell: CellSummary) -> str:
    """Every device the cell's seeds ran on."""
    return ", ".join(dict.fromkeys(str(device) for device in cell.per_seed["env_device"]))


@dataclass(frozen=True)
class Published:
    """Numbers a study compares with: test accuracy by dataset and model, published by
    ``source`` for the parameters ``protocol(dataset, model)`` gives (empty when it names none).
    The comparison shows them in the column ``column`` for cells that ran that protocol on all
    of the data; ``note`` explains the column, ``none_note`` a dataset it has no numbers for."""

    column: str
    source: str
    numbers: Mapping[str, Mapping[str, float]]
    protocol: Callable[[str, str], Mapping[str, Any]]
    note: str
    none_note: str

    def covers(self, cell: CellSummary) -> bool:
        """Whether numbers were published for the cell's dataset (never for synthetic data)."""
        return not cell.synthetic and cell.dataset in self.numbers

    def value(self, cell: CellSummary) -> float | None:
        """The published test accuracy for the cell, when it ran the published protocol: every
        parameter ``protocol`` names, on all of the data (no ``--subset``)."""
        listed = self.protocol(cell.dataset, cell.model)
        same = all(cell.protocol["params"].get(key) == value for key, value in listed.items())
        if not self.covers(cell) or not listed or not same or cell.protocol.get("subset"):
            return None
        return self.numbers[cell.dataset].get(cell.model)

    def text(self, cell: CellSummary) -> str:
        """The published test accuracy to two decimals, a dash where there is none, or
        ``other protocol``."""
        found = self.value(cell)
        if found is not None:
            return f"{found:.2f}"
        return "other protocol" if cell.model in self.numbers[cell.dataset] else MISSING


def per_class_table(cell: CellSummary) -> Table:
    """The lecture's layout: ``y: <class>... All`` by ``Training Set``/``Test Set``, two decimals;
    over several seeds, mean ± 95% half-width."""
    classes = cell.classes()
    rows = [
        [label]
        + [fmt(cell.accuracy(split, name), ".2f") for name in classes]
        + [fmt(cell.accuracy(split), ".2f")]
        for label, split in (("Training Set", "train"), ("Test Set", "test"))
    ]
    return Table(["y:", *classes, "All"], rows, "l" + "r" * (len(classes) + 1))


def comparison_table(
    cells: Sequence[CellSummary], labels: Labels, published: Published | None = None
) -> Table:
    """One row per cell of a dataset: test accuracy with its 95% interval (over seeds when two
    or more ran, else over the test images: the column says which), the ``published`` test
    accuracy where there is some for the dataset (not for synthetic data), train accuracy,
    timings, parameters, device and status."""
    shown = published if published is not None and published.covers(cells[0]) else None
    rows = [
        [
            labels[cell],
            MISSING if (test := cell.accuracy("test")) is None else f"{test.mean:.4f}",
            interval_text(accuracy_interval(cell)),
            *([shown.text(cell)] if shown else []),
            fmt(cell.accuracy("train"), ".4f"),
            fmt(cell.timing("fit_s"), ".1f"),
            fmt(cell.timing("predict_s"), ".2f"),
            parameters_cell(cell),
            devices(cell),
            status_cell(cell),
        ]
        for cell in cells
    ]
    headers = ["model", "test acc", "95% interval"]
    headers += [shown.column] if shown else []
    headers += ["train acc", "fit s", "predict s", "parameters", "device", "status"]
    return Table(headers, rows, "l" + "r" * (len(headers) - 3) + "ll")


def interval_text(interval: Interval | None) -> str:
    """``0.9782–0.9835 over test images`` or ``0.9798–0.9822 over seeds (n = 3)``."""
    if interval is None:
        return MISSING
    over = f"over seeds (n = {interval.n})" if interval.over == "seeds" else f"over {interval.over}"
    return f"{interval.low:.4f}–{interval.high:.4f} {over}"


def time_to_accuracy(
    epochs: pd.DataFrame, final_accuracy: float, fit_s: float, target: float, watched: str = "test"
) -> tuple[float, int | None] | None:
    """Training seconds to the first epoch whose accuracy on the ``watched`` split ("test", or
    "validation" for a cell with a hold-out) reaches ``target``, and that epoch; for a model
    without a learning history, its whole fit time if its final accuracy on that split reaches
    ``target`` (epoch None). None when the target is not reached.

    ``epochs`` holds one seed's rows of :attr:`nnbench.results.Tables.epochs`.
    """
    column = f"{watched}_accuracy"
    scored = epochs.dropna(subset=[column])
    if not len(scored):
        return (fit_s, None) if round(final_accuracy, ACCURACY_DECIMALS) >= target else None
    reached = scored[scored[column].round(ACCURACY_DECIMALS) >= target]
    if not len(reached):
        return None
    first = reached.sort_values("epoch").iloc[0]
    return float(first["elapsed_s"]), int(first["epoch"])


def best_accuracy(history: pd.DataFrame, final_accuracy: float, watched: str = "test") -> float:
    """The best accuracy on the ``watched`` split a seed showed: over its epochs, or its final
    one."""
    scored = history[f"{watched}_accuracy"].dropna()
    return float(scored.max()) if len(scored) else final_accuracy


@dataclass(frozen=True)
class Reach:
    """How the successful seeds of a cell fared against a target test accuracy: the (seconds,
    epoch) of each seed that reached it, and the best accuracy of any seed."""

    reached: list[tuple[float, int | None]]
    seeds: int
    best: float

    def seconds(self) -> Estimate | None:
        """Training seconds to the target over the seeds that reached it (and were timed)."""
        return estimate([seconds for seconds, _ in self.reached])

    def text(self) -> str:
        """``2.9 s (epoch 2)``, ``mean ± half-width s (epochs 2–3)``, with ``k of n seeds``
        when some never reach it, or ``not reached (best 0.9612)``."""
        if not self.reached:
            return f"not reached (best {self.best:.4f})"
        numbers = sorted({epoch for _, epoch in self.reached if epoch is not None})
        if not numbers:
            where = "whole fit"
        elif len(numbers) == 1:
            where = f"epoch {numbers[0]}"
        else:
            where = f"epochs {numbers[0]}–{numbers[-1]}"
        share = (
            f"; {len(self.reached)} of {self.seeds} seeds" if len(self.reached) < self.seeds else ""
        )
        seconds = self.seconds()
        timed = "time not recorded" if seconds is None else fmt(seconds, ".1f", " s")
        return f"{timed} ({where}{share})"


def reach(cell: CellSummary, epochs: pd.DataFrame, target: float) -> Reach:
    """Time to ``target`` for each successful seed of the cell, from its learning history."""
    history, split = cell.select(epochs), cell.watched
    test = cell.rows[(cell.rows["split"] == split) & (cell.rows["class"] == ALL)]
    reached, best = [], []
    for row in test.itertuples():
        mine = history[(history["run"] == row.run) & (history["seed"] == row.seed)]
        found = time_to_accuracy(mine, row.accuracy, row.fit_s, target, split)
        best.append(best_accuracy(mine, row.accuracy, split))
        if found is not None:
            reached.append(found)
    return Reach(reached, len(test), max(best))


def time_to_accuracy_table(
    cells: Sequence[CellSummary], epochs: pd.DataFrame, targets: Sequence[float], labels: Labels
) -> Table:
    """Per successful cell, the training time to each target test accuracy."""
    rows = [
        [labels[cell], *(reach(cell, epochs, target).text() for target in targets)]
        for cell in cells
        if cell.succeeded
    ]
    headers = ["model", *(f"time to test acc ≥ {target:g}" for target in targets)]
    return Table(headers, rows, "l" + "r" * len(targets))


def environment_table(table: pd.DataFrame) -> Table:
    """The environment facts of every result, and when the runs started."""
    envs = environments(table)
    started = sorted(str(env["started_at"]) for env in envs if env.get("started_at"))
    rows = [[what, value] for what, value in environment_facts(envs)]
    if started:
        rows.append(["started", f"{started[0]} to {started[-1]}"])
    return Table(["", "value"], rows, "ll")
