"""The report's tables, as plain rows of text: the seed's per-class table, the comparison per
dataset with the lecture's numbers, time to a target accuracy, and the environment.

Every table is built from the rows of :func:`nnbench.results.load`, grouped into cells by
:func:`nnbench.stats.summarise`; the renderers turn a :class:`Table` into Markdown, LaTeX or
HTML.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd
from tabulate import tabulate

from nnbench.results import ENV_KEYS
from nnbench.stats import CellSummary, Estimate, estimate, plain, protocol_changes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE_FORMAT = "github"
MISSING = "–"
CI_NAME = "half-width of the 95% t-interval"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: accuracies in a learning history are float32; they are compared with a target at this many
#: decimals, so that 0.97 stored as 0.96999997 still reaches 0.97
ACCURACY_DECIMALS = 6


@dataclass(frozen=True)
class Table:
    """A table as text: headers, rows, and an alignment ("l" or "r") per column."""

    headers: list[str]
    rows: list[list[str]]
    align: str


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table; a ``|`` in a cell is escaped."""
    escape = lambda text: text.replace("|", "\\|")  # noqa: E731
    return tabulate(
        [[escape(cell) for cell in row] for row in table.rows],
        headers=[escape(header) for header in table.headers],
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
        colalign=tuple("left" if a == "l" else "right" for a in table.align),
    )


def fmt(value: Estimate | None, spec: str, unit: str = "") -> str:
    """``value`` formatted with ``spec`` (mean ± half-width over several seeds), or a dash."""
    return MISSING if value is None else value.format(spec) + unit


def one_line(text: str | None) -> str:
    """The first line of ``text``, without terminal colour codes."""
    if text is None or text is pd.NA:
        text = "no reason given"
    return ANSI_ESCAPE.sub("", str(text)).strip().split("\n", 1)[0]


def label_cells(cells: Sequence[CellSummary]) -> dict[int, str]:
    """A name for each cell, by its position: the model, and what sets its protocol apart
    when a model appears more than once (``dense_nn (epochs 3)``)."""
    labels = {}
    for index, cell in enumerate(cells):
        others = [other for other in cells if other.model == cell.model and other is not cell]
        if not others:
            labels[index] = cell.model
            continue
        changes = protocol_changes(others[0].protocol, cell.protocol)
        labels[index] = f"{cell.model} ({'; '.join(new for _, new in changes)})"
    return labels


def parameters_cell(cell: CellSummary) -> str:
    """Parameter count; for sparse models, the non-zero coefficients (their range over seeds)
    out of the total."""
    ok = cell.with_status("ok")
    if not len(ok) or pd.isna(ok["n_params"].iloc[0]):
        return MISSING
    total = int(ok["n_params"].iloc[0])
    nonzero = sorted({int(count) for count in ok["n_nonzero"].dropna()})
    if not nonzero:
        return f"{total:,}"
    counts = f"{nonzero[0]:,}" if len(nonzero) == 1 else f"{nonzero[0]:,}–{nonzero[-1]:,}"
    return f"{counts} non-zero of {total:,}"


def status_cell(cell: CellSummary) -> str:
    """``ok``, ``ok (not converged)``, ``skipped`` (reasons go below), ``failed: <error>``, or,
    when only some seeds failed, ``failed (seed S; F of N seeds): <error>``."""
    failed = cell.with_status("failed")
    if len(failed):
        error = one_line(failed["error"].iloc[0])
        if len(failed) == len(cell.per_seed):
            return f"failed: {error}"
        seeds = ", ".join(str(seed) for seed in failed["seed"])
        return f"failed (seed {seeds}; {len(failed)} of {len(cell.per_seed)} seeds): {error}"
    if not len(cell.with_status("ok")):
        return "skipped"
    if (cell.per_seed["converged"] == False).any():  # noqa: E712 (a nullable column)
        return "ok (not converged)"
    return "ok"


def devices(cell: CellSummary) -> str:
    """Every device the cell's seeds ran on."""
    return ", ".join(dict.fromkeys(str(device) for device in cell.per_seed["env_device"]))


@functools.lru_cache(maxsize=1)
def lecture_numbers() -> dict[str, dict[str, float]]:
    """The seed lecture's published test accuracy, by dataset and model (``lecture.toml``)."""
    text = resources.files("nnbench.report").joinpath("lecture.toml").read_text("utf-8")
    return tomllib.loads(text)


def seed_table(cell: CellSummary) -> Table:
    """The seed's layout: ``y: <class>... All`` by ``Training Set``/``Test Set``, two decimals;
    over several seeds, mean ± 95% half-width."""
    classes = cell.classes()
    rows = [
        [label]
        + [fmt(cell.accuracy(split, name), ".2f") for name in classes]
        + [fmt(cell.accuracy(split), ".2f")]
        for label, split in (("Training Set", "train"), ("Test Set", "test"))
    ]
    return Table(["y:", *classes, "All"], rows, "l" + "r" * (len(classes) + 1))


def comparison_table(cells: Sequence[CellSummary]) -> Table:
    """One row per cell of a dataset: accuracies, the lecture's test accuracy where it published
    one (not for synthetic data), timings, parameters, device and status; with an ``n`` column
    of seeds when any cell ran more than one."""
    several = any(len(cell.per_seed) > 1 for cell in cells)
    dataset = cells[0].dataset
    lecture = {} if cells[0].synthetic else lecture_numbers().get(dataset, {})
    labels = label_cells(cells)
    rows = [
        [
            labels[index],
            *([str(len(cell.with_status("ok")))] if several else []),
            fmt(cell.accuracy("test"), ".4f"),
            *([f"{lecture[cell.model]:.2f}" if cell.model in lecture else MISSING] * bool(lecture)),
            fmt(cell.accuracy("train"), ".4f"),
            fmt(cell.timing("fit_s"), ".1f"),
            fmt(cell.timing("predict_s"), ".2f"),
            parameters_cell(cell),
            devices(cell),
            status_cell(cell),
        ]
        for index, cell in enumerate(cells)
    ]
    headers = ["model", *(["n"] if several else []), "test acc"]
    headers += ["seed lecture"] * bool(lecture)
    headers += ["train acc", "fit s", "predict s", "parameters", "device", "status"]
    return Table(headers, rows, "l" + "r" * (len(headers) - 3) + "ll")


def time_to_accuracy(
    epochs: pd.DataFrame, final_accuracy: float, fit_s: float, target: float
) -> tuple[float, int | None] | None:
    """Training seconds to the first epoch whose test accuracy reaches ``target``, and that
    epoch; for a model without a learning history, its whole fit time if its final test
    accuracy reaches ``target`` (epoch None). None when the target is not reached.

    ``epochs`` holds one seed's rows of :attr:`nnbench.results.Tables.epochs`.
    """
    scored = epochs.dropna(subset=["test_accuracy"])
    if not len(scored):
        return (fit_s, None) if round(final_accuracy, ACCURACY_DECIMALS) >= target else None
    reached = scored[scored["test_accuracy"].round(ACCURACY_DECIMALS) >= target]
    if not len(reached):
        return None
    first = reached.sort_values("epoch").iloc[0]
    return float(first["elapsed_s"]), int(first["epoch"])


def seed_epochs(epochs: pd.DataFrame, cell: CellSummary, run: str, seed: int) -> pd.DataFrame:
    """One seed's learning history."""
    keys = {"run": run, "dataset": cell.dataset, "model": cell.model, "seed": seed}
    mask = (epochs["protocol"] == cell.rows["protocol"].iloc[0]).to_numpy()
    for column, value in keys.items():
        mask &= (epochs[column] == value).to_numpy()
    return epochs[mask]


def best_accuracy(history: pd.DataFrame, final_accuracy: float) -> float:
    """The best test accuracy a seed showed: over its epochs, or its final one."""
    scored = history["test_accuracy"].dropna()
    return float(scored.max()) if len(scored) else final_accuracy


def time_to_accuracy_cell(cell: CellSummary, epochs: pd.DataFrame, target: float) -> str:
    """Time to ``target`` over the cell's successful seeds: ``2.9 s (epoch 2)``, ``mean ±
    half-width s (epochs 2–3)``, with ``k of n seeds`` when some never reach it, or ``not
    reached (best 0.9612)``."""
    test = cell.rows[(cell.rows["split"] == "test") & (cell.rows["class"] == "All")]
    reached, best = [], []
    for row in test.itertuples():
        history = seed_epochs(epochs, cell, row.run, row.seed)
        found = time_to_accuracy(history, row.accuracy, row.fit_s, target)
        best.append(best_accuracy(history, row.accuracy))
        if found is not None:
            reached.append(found)
    if not reached:
        return f"not reached (best {max(best):.4f})"
    seconds = estimate([time for time, _ in reached])
    numbers = sorted({epoch for _, epoch in reached if epoch is not None})
    if not numbers:
        where = "whole fit"
    elif len(numbers) == 1:
        where = f"epoch {numbers[0]}"
    else:
        where = f"epochs {numbers[0]}–{numbers[-1]}"
    share = f"; {len(reached)} of {len(test)} seeds" if len(reached) < len(test) else ""
    return f"{fmt(seconds, '.1f', ' s')} ({where}{share})"


def time_to_accuracy_table(
    cells: Sequence[CellSummary], epochs: pd.DataFrame, targets: Sequence[float]
) -> Table:
    """Per successful cell, the training time to each target test accuracy."""
    labels = label_cells(cells)
    rows = [
        [labels[index], *(time_to_accuracy_cell(cell, epochs, target) for target in targets)]
        for index, cell in enumerate(cells)
        if len(cell.with_status("ok"))
    ]
    headers = ["model", *(f"time to test acc ≥ {target:g}" for target in targets)]
    return Table(headers, rows, "l" + "r" * len(targets))


def environments(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The environment of each result in the rows of :func:`nnbench.results.load`."""
    seeds = table.drop_duplicates(["run", "dataset", "model", "protocol", "seed"])
    return [
        {key: plain(value) for key, value in zip(ENV_KEYS, row, strict=True)}
        for row in seeds[[f"env_{key}" for key in ENV_KEYS]].itertuples(index=False)
    ]


def environment_facts(envs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(what, value) pairs naming the machine, devices, library versions and commits; a value
    that differs between results lists each one."""

    def values(key: str, missing: str = "unknown") -> str:
        found = [str(env.get(key)) for env in envs if env.get(key) is not None]
        return ", ".join(dict.fromkeys(found)) or missing

    return [
        ("CPU", f"{values('cpu', 'unknown CPU')}, {values('cores', '?')} cores"),
        ("device", values("device")),
        ("Python", values("python", "?")),
        ("scikit-learn", values("sklearn", "?")),
        ("TensorFlow", values("tensorflow", "not installed")),
        ("Keras", f"{values('keras', '?')} ({values('keras_backend', '?')} backend)"),
        ("NumPy", values("numpy", "?")),
        ("pandas", values("pandas", "?")),
        ("nnbench", values("nnbench", "?")),
        ("platform", values("platform")),
        ("git commit", values("git_commit")),
    ]


def describe_environment(envs: Sequence[Mapping[str, Any]]) -> str:
    """The environment facts as one sentence."""
    return "; ".join(f"{what} {value}" for what, value in environment_facts(envs)) + "."


def environment_table(table: pd.DataFrame) -> Table:
    """The environment facts of every result, and when the runs started."""
    envs = environments(table)
    started = sorted(str(env["started_at"]) for env in envs if env.get("started_at"))
    rows = [[what, value] for what, value in environment_facts(envs)]
    if started:
        rows.append(["started", f"{started[0]} to {started[-1]}"])
    return Table(["", "value"], rows, "ll")
