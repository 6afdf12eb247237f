"""The local executor: cells run one at a time in this process, in the plan's order (so that a
dataset is loaded once for its consecutive cells)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nnbench.execute.base import Executor, Task, run_task
from nnbench.execute.run_one import forget_data
from nnbench.results import Result


class LocalExecutor(Executor):
    """One cell at a time, here."""

    def __init__(self) -> None:
        self._running = 0

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        for task in sorted(tasks, key=lambda task: task.index):
            self._running = 1
            result = run_task(task)
            self._running = 0
            yield task, result

    def running(self) -> int:
        return self._running

    def describe(self) -> str:
        return "in this process, one at a time"

    def close(self) -> None:
        forget_data()
