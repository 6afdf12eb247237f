"""The driver: check the plan, hand its cells to an executor, and write each result file as
the result comes back, so that a run killed at any moment loses only the cells in flight."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from nnbench import __version__, progress
from nnbench.datasets import get_dataset
from nnbench.errors import ConfigError, DataError
from nnbench.execute.base import Executor, Task
from nnbench.execute.local import LocalExecutor
from nnbench.execute.schedule import longest_first
from nnbench.files import short_fingerprint
from nnbench.plan import Cell, make_model
from nnbench.progress import counted, duration
from nnbench.results import (
    ResultDoc,
    read_result,
    result_files,
    store_result,
    update_index,
)
from nnbench.schemas.result import Result
from nnbench.sidecars import orphan_sidecars, sidecar_name

#: where a resumed run moves the results of its cells as they ran under other code or data
SUPERSEDED_DIR = "superseded"
#: earlier result files of a resumed run's cells, by the key of the cell replacing them, each
#: with what changed
Superseded = dict[str, list[tuple[Path, str]]]
#: how often a run brings its folder's index up to the results written so far, in seconds
INDEX_EVERY_S = 60.0


class ResultWriter:
    """Writes each result of a run as it comes back: with its place in the plan and its study,
    retiring the files it supersedes, and bringing the folder's index up to date every
    :data:`INDEX_EVERY_S` seconds."""

    def __init__(self, run_dir: Path, study: str | None, stale: Superseded) -> None:
        self.run_dir, self.study, self.stale = run_dir, study, stale
        self.index_due = time.monotonic() + INDEX_EVERY_S

    def write(self, task: Task, result: Result) -> ResultDoc:
        """Write ``result``; return it as written."""
        result["cell_index"] = task.index
        result["study"] = self.study
        written = store_result(result, self.run_dir)
        retire((path for path, _ in self.stale.get(task.cell.cell_id, [])), self.run_dir)
        if time.monotonic() >= self.index_due:
            update_index(self.run_dir)
            self.index_due = time.monotonic() + INDEX_EVERY_S
        return written


def default_run_dir(root: Path = Path("results/runs")) -> Path:
    """``results/runs/<local timestamp>``, with ``-2``, ``-3``, ... for runs in the same second."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    found, number = root / stamp, 2
    while found.exists():
        found, number = root / f"{stamp}-{number}", number + 1
    return found


def prepare_run_dir(run_dir: Path, resume: bool = False) -> bool:
    """Create ``run_dir`` (True when it is new) and make sure it can be written, refusing one
    that holds results already unless the run ``resume``s it: all before any training starts."""
    if resume and not run_dir.is_dir():
        raise ConfigError(f"There is no run folder {run_dir} to resume; check the path.")
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=run_dir, prefix=".nnbench-probe-"):
            pass
    except OSError as exc:
        if created and run_dir.is_dir():
            run_dir.rmdir()
        raise ConfigError(
            f"Cannot write results into the run folder {run_dir}: {exc.strerror or exc}. Make "
            "it writable, or choose another folder with --out."
        ) from None
    if result_files(run_dir) and not resume:
        raise ConfigError(
            f"Run folder {run_dir} already holds result files, and runs must not mix. "
            "Choose another folder with --out, resume this run with --resume, or empty it."
        )
    return created


def earlier_results(run_dir: Path) -> list[tuple[Path, ResultDoc]]:
    """The result files of a run folder being resumed, each with its path."""
    return [(path, read_result(path)) for path in result_files(run_dir)]


def what_changed(result: ResultDoc, cell: Cell) -> str:
    """What differs between the cell as it ran for ``result`` and as it is planned now."""
    compared = [
        ("the model's code", result.get("model_origin", {}).get("code"), cell.code),
        ("the data", result.get("data", {}).get("fingerprint"), cell.data_fingerprint),
        ("nnbench", result["env"].get("nnbench"), __version__),
    ]
    changed = [
        f"{what} ({short_fingerprint(before)} → {short_fingerprint(now)})"
        for what, before, now in compared
        if before != now
    ]
    return " and ".join(changed) or "its key"


def superseded(cells: Sequence[Cell], earlier: Sequence[tuple[Path, ResultDoc]]) -> Superseded:
    """The earlier results of the plan's cells that ran under other code, data or nnbench
    (same slot, another key), by the key of the cell that replaces them, with what changed."""
    by_slot = {cell.slot_id: cell for cell in cells}
    found: Superseded = {}
    for path, result in earlier:
        cell = by_slot.get(result.get("slot_id") or "")
        if cell is not None and cell.cell_id != result["cell_id"]:
            found.setdefault(cell.cell_id, []).append((path, what_changed(result, cell)))
    return found


def resumed(cells: Sequence[Cell], run_dir: Path) -> tuple[dict[int, ResultDoc], Superseded]:
    """What a resumed run keeps of ``run_dir``: the successful results of its cells, by the
    cell's place in the plan; and the results of its cells as they ran under other code, data
    or nnbench, which the cells' new results will supersede (a kept cell's are moved aside
    now)."""
    earlier = earlier_results(run_dir)
    for orphan in orphan_sidecars(run_dir, {path.name for path, _ in earlier}):
        orphan.unlink()  # a run killed between a sidecar and its result
    done = {result["cell_id"]: result for _, result in earlier if result["status"] == "ok"}
    stale = superseded(cells, earlier)
    kept = {index: done[cell.cell_id] for index, cell in enumerate(cells) if cell.cell_id in done}
    for index in kept:
        retire((path for path, _ in stale.pop(cells[index].cell_id, [])), run_dir)
    return kept, stale


def retire(paths: Iterable[Path], run_dir: Path) -> None:
    """Move superseded result files, with their predictions, into ``run_dir/superseded/``, out
    of the run's results."""
    for path in paths:
        (run_dir / SUPERSEDED_DIR).mkdir(exist_ok=True)
        path.replace(run_dir / SUPERSEDED_DIR / path.name)
        sidecar = path.with_name(sidecar_name(path.name))
        if sidecar.exists():
            sidecar.replace(run_dir / SUPERSEDED_DIR / sidecar.name)


def announce_reruns(cells: Sequence[Cell], stale: Superseded) -> None:
    """Say which cells run again because their code, data or nnbench changed."""
    reasons: dict[str, list[str]] = {}
    for cell in cells:
        for _, changed in stale.get(cell.cell_id, ())[:1]:
            reasons.setdefault(changed, []).append(cell.label())
    for changed, labels in reasons.items():
        shown = "; ".join(labels[:5]) + (f"; and {len(labels) - 5} more" if len(labels) > 5 else "")
        progress.info(
            f"nnbench: running {counted(len(labels), 'cell')} again, as {changed} changed "
            f"since {'its result' if len(labels) == 1 else 'their results'}: {shown}"
        )


def prepare_data(cells: list[Cell], data_dir: Path) -> None:
    """Fetch, build or decode once each dataset that cells will run on, before any worker
    starts: workers on this machine then never race to write the same files, and a data folder
    that cannot be used stops the run (ConfigError) before anything trains. Data that cannot be
    read is left to its cells, which hit the same error and record it."""
    for name in dict.fromkeys(cell.dataset for cell in cells if not cell.skip):
        dataset = get_dataset(name)
        if dataset.unavailable_reason(data_dir) is None:
            with contextlib.suppress(DataError, OSError):
                dataset.fetch(data_dir)


def run_cells(
    cells: Iterable[Cell],
    data_dir: Path,
    run_dir: Path,
    resume: bool = False,
    retries: int = 0,
    executor: Callable[[], Executor] = LocalExecutor,
    shared_data: bool = True,
    study: str | None = None,
) -> list[ResultDoc]:
    """Run every cell on the executor that ``executor()`` starts (in this process by default),
    write each result as soon as it comes back, and return every cell's result in the plan's
    order.

    Parameters are checked for every cell, and ``run_dir`` for results of an earlier run, before
    any worker starts. Cells go to the executor longest first (a serial executor keeps the
    plan's order). Cells the suite skips, and cells of a dataset that is not available, are
    recorded as skipped with the reason; cells of a dataset that fails to load, as failed with
    ``error_kind`` "data". With ``resume``, a cell with a successful result of its key in
    ``run_dir`` is not run again, and older results of the cell are superseded (see
    :func:`resumed`). A cell whose model fails, or that runs past its time limit
    (``Cell.timeout``, enforced by the executor), is tried up to ``retries`` more times. With
    ``shared_data`` (workers on this machine, or on a shared file system), each dataset is
    prepared once first (:func:`prepare_data`). Each result records its ``study``, if any.
    """
    cells = list(cells)
    for cell in cells:
        make_model(cell)
    created = prepare_run_dir(run_dir, resume)
    results, stale = resumed(cells, run_dir) if resume else ({}, {})
    tasks = [
        Task(index, cells[index], f"[{index + 1}/{len(cells)}]", str(data_dir), retries, cost)
        for index, cost in longest_first(cells)
        if index not in results
    ]
    try:
        if shared_data:
            prepare_data([task.cell for task in tasks], data_dir)
        with executor() as runner:
            again = f", {len(results)} of them done already" if resume else ""
            progress.info(
                f"nnbench: {counted(len(cells), 'cell')}{again}; running {len(tasks)} "
                f"{runner.describe()}; results go to {run_dir}"
            )
            announce_reruns(cells, stale)
            skips: set[tuple[str, str]] = set()
            writer = ResultWriter(run_dir, study, stale)
            with progress.CellProgress(len(tasks), runner.running) as bar:
                for task, result in runner.run(tasks):
                    written = results[task.index] = writer.write(task, result)
                    announce_skip(task, written, skips)
                    bar.finished(written["status"])
    except BaseException:
        if created and not any(run_dir.iterdir()):
            run_dir.rmdir()  # leave no empty run folder behind
        raise
    return [results[index] for index in sorted(results)]


def announce_skip(task: Task, result: ResultDoc, shown: set[tuple[str, str]]) -> None:
    """Print a skipped cell's reason the first time its dataset is skipped for it."""
    if result["status"] != "skipped":
        return
    reason = (result["dataset"], str(result.get("skip_reason")))
    if reason not in shown:
        shown.add(reason)
        progress.info(f"{task.tag} {task.cell.label()}: SKIPPED · {reason[1]}")


def run_summary(results: Sequence[ResultDoc], seconds: float, run_dir: Path) -> str:
    """The line a run ends with: its cells ok, failed and skipped, its time and its folder."""
    counts = Counter(result["status"] for result in results)
    statuses = ", ".join(f"{counts[status]} {status}" for status in ("ok", "failed", "skipped"))
    return (
        f"nnbench: {counted(len(results), 'cell')}: {statuses} in "
        f"{duration(seconds)}; results and report in {run_dir}"
    )


def warning_lines(results: Sequence[ResultDoc]) -> list[str]:
    """One line per warning a cell recorded (training that went wrong), for the run's end."""
    return [
        f"nnbench: warning: {result['dataset']} · {result['model']}"
        + (f" [{result['variant']}]" if result.get("variant") else "")
        + f" · seed {result['seed']}: {warning}"
        for result in results
        for warning in result.get("warnings", [])
    ]
