"""Plain-text presentation shared by the report and the gate: tables as rows of text, values
formatted for them, a cell's status, and the environment in words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from tabulate import tabulate

from nnbench.environment import ENVIRONMENT_KEYS
from nnbench.result_tables import SEED_KEY
from nnbench.schemas.result import ENV_KEYS
from nnbench.stats import CellSummary, Estimate, plain, protocol_changes

TABLE_FORMAT = "github"
#: the neural nets' default dtype policy: any other is named beside the model
DEFAULT_PRECISION = "float32"
#: a name for each cell of a dataset (:func:`label_cells`)
Labels = dict[CellSummary, str]
MISSING = "–"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Table:
    """A table as text: headers, rows, and an alignment ("l" or "r") per column."""

    headers: list[str]
    rows: list[list[str]]
    align: str


def label_cells(cells: Sequence[CellSummary]) -> Labels:
    """A name for each cell of a dataset: the model, with the suite's label of its variant
    (``lasso_logit [C=0.1]``), or else what sets its protocol apart when a model appears more
    than once (``dense_nn (epochs 3)``); a precision other than float32 is always named
    (``cnn (precision mixed_bfloat16)``)."""
    labels = {}
    for cell in cells:
        others = [other for other in cells if other.model == cell.model and other is not cell]
        if cell.protocol.get("variant"):
            labels[cell] = f"{cell.model} [{cell.protocol['variant']}]"
        elif others:
            changes = protocol_changes(others[0].protocol, cell.protocol)
            labels[cell] = f"{cell.model} ({'; '.join(new for _, new in changes)})"
        else:
            labels[cell] = cell.model
        precision = cell.protocol.get("params", {}).get("precision", DEFAULT_PRECISION)
        if precision != DEFAULT_PRECISION and "precision" not in labels[cell]:
            labels[cell] += f" (precision {precision})"
    return labels


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table; a ``|`` in a cell is escaped."""

    def escape(text: str) -> str:
        return text.replace("|", "\\|")

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


def p_text(p: float | None) -> str:
    """A p-value: three significant digits, in scientific notation below 0.001."""
    if p is None:
        return MISSING
    if p == 0:
        return "< 1e-300"  # below the smallest double: the binomial tail underflows
    return f"{p:.2e}" if p < 1e-3 else f"{p:.3g}"


def one_line(text: object) -> str:
    """The first line of ``text``, without terminal colour codes; "no reason given" for None
    or NA."""
    if text is None or text is pd.NA:
        text = "no reason given"
    return ANSI_ESCAPE.sub("", str(text)).strip().split("\n", 1)[0]


def status_cell(cell: CellSummary) -> str:
    """``ok``, ``ok (not converged)``, ``ok (training warning)`` (warnings go below),
    ``skipped`` (reasons go below), ``failed: <error>``, or, when only some seeds failed,
    ``failed (seed S; F of N seeds): <error>``."""
    failed = cell.with_status("failed")
    if len(failed):
        error = one_line(failed["error"].iloc[0])
        if len(failed) == len(cell.per_seed):
            return f"failed: {error}"
        seeds = ", ".join(str(seed) for seed in failed["seed"])
        return f"failed (seed {seeds}; {len(failed)} of {len(cell.per_seed)} seeds): {error}"
    if not cell.succeeded:
        return "skipped"
    notes = [
        note
        for note, applies in (
            ("not converged", (cell.per_seed["converged"] == False).any()),  # noqa: E712
            ("training warning", cell.per_seed["warnings"].notna().any()),
        )
        if applies
    ]
    return f"ok ({'; '.join(notes)})" if notes else "ok"


def environments(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The environment of each result in the rows of :func:`nnbench.results.load`."""
    seeds = table.drop_duplicates(list(SEED_KEY))
    return [
        {key: plain(value) for key, value in zip(ENV_KEYS, row, strict=True)}
        for row in seeds[[f"env_{key}" for key in ENV_KEYS]].itertuples(index=False)
    ]


def environment_facts(envs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(what, value) pairs naming the machine, devices, library versions and commits; a value
    that differs between results lists each one."""

    def values(key: str, missing: str) -> str:
        found = [str(env.get(key)) for env in envs if env.get(key) is not None]
        return ", ".join(dict.fromkeys(found)) or missing

    by_key = {entry.key: values(entry.key, entry.missing) for entry in ENVIRONMENT_KEYS}
    return [
        (entry.label, entry.shown.format_map({**by_key, "value": by_key[entry.key]}))
        for entry in ENVIRONMENT_KEYS
        if entry.shown
    ]


def describe_environment(envs: Sequence[Mapping[str, Any]]) -> str:
    """The environment facts as one sentence."""
    return "; ".join(f"{what} {value}" for what, value in environment_facts(envs)) + "."
