"""The local executor: cells run one at a time in this process, in the plan's order (so that a
dataset is loaded once for its consecutive cells). Cells with a time limit (``--timeout``) run
after them, in the plan's order too, on one worker process with every core
(:mod:`nnbench.execute.processes`), kept from one such cell to the next so that its data stays
loaded: a cell that runs past its limit then has its worker stopped, and this process, the
driver, goes on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nnbench import progress
from nnbench.execute.base import Executor, Task, run_task
from nnbench.execute.processes import ProcessExecutor
from nnbench.execute.run_one import forget_data
from nnbench.progress import counted
from nnbench.schemas.result import Result


class LocalExecutor(Executor):
    """One cell at a time: here, or on a worker process when it has a time limit."""

    def __init__(self) -> None:
        self._running = 0
        self.timed: ProcessExecutor | None = None

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        ordered = sorted(tasks, key=lambda task: task.index)
        for task in (task for task in ordered if task.timeout is None):
            self._running = 1
            result = run_task(task)
            self._running = 0
            yield task, result
        timed = [task for task in ordered if task.timeout is not None]
        if timed:
            progress.info(
                f"nnbench: {counted(len(timed), 'cell')} with a time limit now run on a "
                "worker process, which is stopped at the limit"
            )
            forget_data()  # the worker loads its own
            self.timed = ProcessExecutor(1)  # one worker, with every core
            yield from self.timed.run(timed)

    def running(self) -> int:
        return self._running or (self.timed.running() if self.timed else 0)

    def describe(self) -> str:
        return "in this process, one at a time"

    def close(self) -> None:
        forget_data()
        if self.timed is not None:
            self.timed.close()
