"""The driver: check the plan, hand its cells to an executor, and write each result file as
the result comes back, so that a run killed at any moment loses only the cells in flight."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from nnbench import progress
from nnbench.datasets import get_dataset
from nnbench.errors import ConfigError, DataError
from nnbench.execute.base import Executor, Task
from nnbench.execute.local import LocalExecutor
from nnbench.execute.schedule import longest_first
from nnbench.plan import Cell, make_model
from nnbench.results import Result, read_run, result_files, write_result


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


def finished_cells(run_dir: Path) -> dict[str, Result]:
    """The successful results in ``run_dir``, by cell key: the cells a resumed run skips."""
    if not result_files(run_dir):
        return {}
    return {result["cell_id"]: result for result in read_run(run_dir) if result["status"] == "ok"}


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
) -> list[Result]:
    """Run every cell on the executor that ``executor()`` starts (in this process by default),
    write each result as soon as it comes back, and return every cell's result in the plan's
    order.

    Parameters are checked for every cell, and ``run_dir`` for results of an earlier run, before
    any worker starts. Cells go to the executor longest first (a serial executor keeps the
    plan's order). Cells the suite skips, and cells of a dataset that is not available, are
    recorded as skipped with the reason; cells of a dataset that fails to load, as failed with
    ``error_kind`` "data". With ``resume``, a cell that has a successful result with its key in
    ``run_dir`` is not run again; any other result of its key is replaced. A cell whose model
    fails is tried up to ``retries`` more times. With ``shared_data`` (workers on this machine,
    or on a file system shared with it), each dataset is prepared once first (see
    :func:`prepare_data`); a remote cluster's workers prepare their own. Each result records
    the ``study`` it was run for, if any.
    """
    cells = list(cells)
    for cell in cells:
        make_model(cell)
    created = prepare_run_dir(run_dir, resume)
    done = finished_cells(run_dir) if resume else {}
    results: dict[int, Result] = {
        index: done[cell.cell_id] for index, cell in enumerate(cells) if cell.cell_id in done
    }
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
                f"nnbench: {len(cells)} cells{again}; running {len(tasks)} {runner.describe()}; "
                f"results go to {run_dir}"
            )
            with progress.CellProgress(len(tasks), runner.running) as bar:
                for task, result in runner.run(tasks):
                    result["cell_index"] = task.index
                    result["study"] = study
                    write_result(result, run_dir)
                    results[task.index] = result
                    bar.finished(result["status"])
    except BaseException:
        if created and not any(run_dir.iterdir()):
            run_dir.rmdir()  # leave no empty run folder behind
        raise
    return [results[index] for index in sorted(results)]
