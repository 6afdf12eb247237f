"""``--jobs N``: N worker processes on this machine, started with ``spawn``.

The driver chooses which worker runs which cell: a free worker takes the longest pending cell,
or a cell on the data it loaded last when that one is at least half as long, so that a dataset
is loaded once per worker and not once per cell. Each worker's threads (BLAS, OpenMP,
TensorFlow's intra- and inter-op pools) are limited to its share of the cores; its Keras backend
takes GPU memory as it needs it, so that workers share a GPU; and TensorFlow is imported only by
a worker that runs a Keras cell. A worker that dies under a cell (killed, out
of memory) is replaced, and its cell runs once more on the new worker before it is recorded as
failed with the reason. A cell with a time limit (``--timeout``) that runs past it has its
worker stopped (SIGTERM, then SIGKILL: a model may ignore the first) and replaced, and is
recorded as timed out, or tried again while ``--retries`` allows. When the run ends early
(Ctrl-C, an error), busy workers are stopped; when the driver is killed, its workers end with
it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait

from nnbench import progress
from nnbench.execute.base import (
    Executor,
    Task,
    lost_result,
    run_task,
    timed_out,
    usable_cores,
    worker_environment,
)
from nnbench.execute.run_one import DataKey, data_key
from nnbench.schemas.result import Result

#: how many times a cell whose worker died runs again on a new worker
LOST_WORKER_RERUNS = 1
#: seconds a worker has to finish after it is asked to stop
STOP_TIMEOUT_S = 10
#: seconds a busy worker has to end after SIGTERM before it is killed
KILL_GRACE_S = 1
#: what a worker sends when it starts a task with a time limit, which then counts from there
STARTED = "started"
#: Linux's prctl option that has the kernel signal a process when its parent dies
PR_SET_PDEATHSIG = 1


def serve(connection: Connection, threads: int, driver: int) -> None:
    """A worker's life: limit its threads, then run each task it receives and send the result
    back (first :data:`STARTED` for a task with a time limit), until it receives None or the
    ``driver`` process is gone (even killed, mid-cell)."""
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    die_with(driver)
    # its progress lines need a lock of its own, not the semaphore that tqdm makes by default,
    # which a worker stopped at a time limit would leave behind (with a warning at the run's end)
    tqdm.set_lock(threading.RLock())

    os.environ.update(worker_environment(threads))  # for libraries not loaded yet (TensorFlow)
    threadpool_limits(threads)  # for those loaded already (NumPy's BLAS)
    try:
        while (task := connection.recv()) is not None:
            if task.timeout is not None:
                connection.send(STARTED)
            connection.send(run_task(task))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the driver stopped


def die_with(driver: int) -> None:
    """End this worker when its ``driver`` dies (a killed driver closes no pipe that a busy
    worker would notice before its cell ends), or now when it is gone already. On Linux the
    kernel kills the worker at once (a parent-death signal): a thread could not run while the
    worker holds the GIL in native code, such as loading TensorFlow on a busy machine (the
    signal comes when the driver's thread that started the worker ends: the one that runs the
    executor, which stops its workers first). Elsewhere, a thread looks every second."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        parent_death_signal = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    except (AttributeError, OSError):  # no prctl: not Linux
        parent_death_signal = False
    if os.getppid() != driver:  # it died before the signal was asked for
        os._exit(1)
    if not parent_death_signal:
        threading.Thread(target=exit_without, args=(driver,), daemon=True).start()


def exit_without(driver: int) -> None:
    """End this worker within a second of its driver's death."""
    while os.getppid() == driver:
        time.sleep(1)
    os._exit(1)


class Worker:
    """One worker process, the pipe to it, the data it loaded last, and its task with the time
    by which it must be done (``deadline``, on the monotonic clock, once the worker said it
    started a task with a time limit; else None)."""

    def __init__(self, threads: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        driver = os.getpid()
        self.process = context.Process(target=serve, args=(theirs, threads, driver), daemon=True)
        self.process.start()
        theirs.close()
        self.data: DataKey | None = None
        self.task: Task | None = None
        self.deadline: float | None = None

    def give(self, task: Task) -> None:
        """Send ``task`` to the worker."""
        self.task, self.data = task, data_key(task.cell, task.data_dir)
        self.deadline = None
        self.connection.send(task)

    def done(self) -> bool:
        """Whether the worker sent its task's result, or died. A notice that it started a task
        with a time limit, read here, sets the task's deadline."""
        limit = self.task.timeout if self.task is not None else None
        if limit is not None and self.deadline is None and self.connection.poll():
            try:
                self.connection.recv()  # STARTED
            except (EOFError, OSError):
                return True  # it died
            self.deadline = time.monotonic() + limit
        return self.connection.poll() or not self.process.is_alive()

    def overdue(self) -> bool:
        """Whether the worker's task ran past its deadline without sending its result."""
        late = self.deadline is not None and time.monotonic() >= self.deadline
        return self.task is not None and late and not self.connection.poll()

    def release(self) -> Task:
        """The worker's task, which it no longer runs (finished, or stopped)."""
        task, self.task = self.task, None
        assert task is not None, "only a busy worker has a task to release"
        return task

    def outcome(self) -> Result | None:
        """The result the worker sent back, or None when it died (see :meth:`death`)."""
        try:
            result: Result = self.connection.recv()
        except (EOFError, OSError):
            return None
        return result

    def death(self) -> str:
        """Why the worker is gone: the signal that killed it, or its exit status."""
        self.process.join(STOP_TIMEOUT_S)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exited with status {code}"

    def stop(self) -> None:
        """Ask an idle worker to finish; stop a busy one now: SIGTERM, then SIGKILL when it is
        still alive after :data:`KILL_GRACE_S` (a model may ignore SIGTERM)."""
        try:
            if self.task is None:
                self.connection.send(None)
                self.process.join(STOP_TIMEOUT_S)
        except OSError:
            pass  # dead already
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(KILL_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class ProcessExecutor(Executor):
    """``jobs`` worker processes, each with ``cores // jobs`` threads (at least one)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.threads = max(1, usable_cores() // jobs)
        self.workers: list[Worker] = []

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        pending, lost = list(tasks), dict.fromkeys((task.index for task in tasks), 0)
        self.workers = [Worker(self.threads) for _ in range(min(self.jobs, len(pending)))]
        self.feed(pending)
        while self.running():
            busy = [worker for worker in self.workers if worker.task is not None]
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            until = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy], until)
            finished = [self.collect(worker, lost, pending) for worker in busy if worker.done()]
            finished += [self.expire(worker, pending) for worker in busy if worker.overdue()]
            self.feed(pending)  # before the driver writes results: no worker waits on it
            yield from ((task, result) for task, result in finished if result is not None)

    def feed(self, pending: list[Task]) -> None:
        """Give each idle worker a task, replacing a worker that died while idle."""
        for worker in list(self.workers):
            if worker.task is None and pending:
                if not worker.process.is_alive():
                    worker = self.replace(worker)
                worker.give(take(pending, worker.data))

    def replace(self, worker: Worker) -> Worker:
        """A new worker in place of ``worker``, which is stopped."""
        worker.stop()
        fresh = self.workers[self.workers.index(worker)] = Worker(self.threads)
        return fresh

    def collect(
        self, worker: Worker, lost: dict[int, int], pending: list[Task]
    ) -> tuple[Task, Result | None]:
        """The finished task of ``worker`` and its result. When the worker died, a new worker
        takes its place, and the task goes back to the front of ``pending`` (result None) or,
        once it has lost too many workers, is recorded as failed."""
        task, result = worker.release(), worker.outcome()
        if result is not None:
            return task, result
        why = worker.death()
        self.replace(worker)
        lost[task.index] += 1
        if lost[task.index] <= LOST_WORKER_RERUNS:
            progress.info(f"{task.tag} {task.cell.label()}: its worker died ({why}); again")
            pending.insert(0, task)
            return task, None
        reason = (
            f"the worker process running this cell died {lost[task.index]} times (the last one "
            f"{why}): killed, out of memory, or a crash in native code; see the run's stderr"
        )
        return task, lost_result(task, reason)

    def expire(self, worker: Worker, pending: list[Task]) -> tuple[Task, Result | None]:
        """Stop ``worker``, whose task ran past its time limit (it is replaced when a task needs
        it): the task goes back to the front of ``pending`` (result None) while its retries
        allow, else is recorded as timed out."""
        worker.stop()  # while it holds its task: stopped now, not asked to finish
        task = worker.release()
        after = timed_out(task)
        if isinstance(after, Task):
            pending.insert(0, after)
            return task, None
        return task, after

    def running(self) -> int:
        return sum(worker.task is not None for worker in self.workers)

    def describe(self) -> str:
        return f"on {self.jobs} worker processes of {self.threads} thread(s) each"

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


def take(pending: list[Task], data: DataKey | None) -> Task:
    """Remove and return the task for a worker holding ``data``: the first (longest) pending
    one, or the first on ``data`` when it is at least half as long."""
    longest = pending[0]
    same = (i for i, task in enumerate(pending) if data_key(task.cell, task.data_dir) == data)
    index = next(same, 0)
    return pending.pop(index if pending[index].cost >= longest.cost / 2 else 0)
