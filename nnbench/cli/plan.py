"""The plan of ``all`` and ``run`` with ``--dry-run``: every cell the run would have, with its
key and labels, checked as the run would check it, and nothing run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def print_plan(cells: list[Any], data_dir: Path) -> None:
    """The cells a run would run, one row each (with its time limit, when a cell has one),
    after every cell's model was made (so that any error of its parameters shows now); nothing
    is fitted."""
    from nnbench.datasets import get_dataset
    from nnbench.plan import make_model
    from nnbench.presentation import Table, markdown_table
    from nnbench.progress import counted

    for cell in cells:
        make_model(cell)
    unavailable = {
        name: get_dataset(name).unavailable_reason(data_dir)
        for name in dict.fromkeys(cell.dataset for cell in cells)
    }
    why = {cell: unavailable[cell.dataset] or cell.skip for cell in cells}
    skipped = sum(bool(reason) for reason in why.values())
    limits = any(cell.timeout is not None for cell in cells)  # a column only when one has one
    rows = [
        [
            cell.cell_id,
            cell.dataset,
            cell.model,
            cell.variant or "",
            str(cell.seed),
            json.dumps(cell.params),
            f"skipped: {why[cell]}" if why[cell] else "runs",
            *([f"{cell.timeout:g} s" if cell.timeout is not None else "none"] * limits),
        ]
        for cell in cells
    ]
    headers = ["key", "dataset", "model", "variant", "seed", "parameters", "plan"]
    headers += ["time limit"] * limits
    print(markdown_table(Table(headers, rows, "l" * len(headers))))
    print(
        f"nnbench: {counted(len(cells), 'cell')}, {len(cells) - skipped} to run and {skipped} "
        "to skip; nothing was run (--dry-run).",
        file=sys.stderr,
    )
