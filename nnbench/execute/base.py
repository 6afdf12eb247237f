"""What every executor does: take tasks (a cell's description, never data or models), run each
through :func:`run_one` somewhere, and hand the results back to the driver as they finish. The
driver alone writes result files."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from nnbench import progress
from nnbench.execute.run_one import failure, run_one, unrun_result
from nnbench.plan import Cell
from nnbench.quiet import quiet_tensorflow_import
from nnbench.schemas.result import MODEL_ERROR, TIMEOUT_ERROR, Result


@dataclass(frozen=True)
class Task:
    """One cell to run, as it travels to a worker: its place in the plan (``index``), the
    ``tag`` its progress lines start with, where workers find data, its retries (those left),
    its estimated ``cost`` in seconds (see :mod:`nnbench.execute.schedule`), and how many of
    its earlier attempts ran past its time limit (``timed_out``)."""

    index: int
    cell: Cell
    tag: str
    data_dir: str
    retries: int = 0
    cost: float = 0.0
    timed_out: int = 0

    @property
    def timeout(self) -> float | None:
        """The seconds the task may run on its worker: its cell's time limit (None: none)."""
        return self.cell.timeout


def run_task(task: Task) -> Result:
    """Run a task where it lands: :func:`run_one` on the task's cell. What ``run_one`` itself
    could not record (a model reference that does not import on this worker) is the cell's
    failure too, so that every executor records it the same way. TensorFlow loads quietly
    here when the driver asked for quiet (:mod:`nnbench.quiet`)."""
    quiet_tensorflow_import()
    try:
        result = run_one(task.cell, task.data_dir, task.retries, task.tag)
    except Exception as exc:
        why, kind = failure(exc)
        result = unrun_result(task.cell, "failed", why, task.tag, kind=kind)
    if task.timed_out:  # count the attempts that ran past the time limit before this one
        result["attempts"] = result.get("attempts", 1) + task.timed_out
    return result


def lost_result(task: Task, why: str) -> Result:
    """The failed result of a task whose worker died under it, with the reason."""
    return unrun_result(task.cell, "failed", why, task.tag, kind=MODEL_ERROR)


def timed_out(task: Task, stopped: str = "its worker was stopped") -> Task | Result:
    """What follows a task that ran past its time limit, its worker ``stopped`` (in words):
    the task again, on a fresh worker, while its retries allow; else its failed result, of
    ``error_kind`` "timeout", with the limit and what to do."""
    limit = f"ran past its time limit of {task.timeout:g} s"
    label = f"{task.tag} {task.cell.label()}"
    if task.retries > 0:
        tried = task.timed_out + 1
        progress.info(
            f"{label}: {limit}; trying again on a fresh worker (retry {tried} of "
            f"{task.retries + task.timed_out})"
        )
        return replace(task, retries=task.retries - 1, timed_out=tried)
    why = f"{limit}; {stopped}. Raise --timeout or the suite's timeout, or find why it hangs"
    result = unrun_result(task.cell, "failed", why, task.tag, kind=TIMEOUT_ERROR)
    result["attempts"] = task.timed_out + 1
    return result


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: so that workers on one machine share its GPU: TensorFlow and JAX take GPU memory as they
#: need it, instead of most of it at start-up (a value the user set is kept)
GPU_SHARING = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


def worker_environment(threads: int) -> dict[str, str]:
    """Environment variables for a worker on this machine: its libraries (BLAS, OpenMP,
    TensorFlow) keep to ``threads`` threads each, and its Keras backend shares the GPU."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")
    sharing = {name: os.environ.get(name, value) for name, value in GPU_SHARING.items()}
    return {**dict.fromkeys(names, str(threads)), "TF_NUM_INTEROP_THREADS": "1", **sharing}


class Executor(ABC):
    """Runs tasks and yields ``(task, result)`` as each finishes, in any order. Used as a
    context manager, so that workers are stopped however the run ends."""

    @abstractmethod
    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        """Run ``tasks``, given longest first, and yield each with its result."""

    @abstractmethod
    def running(self) -> int:
        """How many tasks are running now (for progress)."""

    @abstractmethod
    def describe(self) -> str:
        """Where cells run, in words: "in this process", "on 2 worker processes"."""

    @abstractmethod
    def close(self) -> None:
        """Stop any workers, and let go of what they hold."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()
