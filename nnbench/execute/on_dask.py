"""Dask distributed: ``--executor dask --scheduler ADDRESS`` submits cells to a running cluster,
``--executor dask-local --workers N`` to a ``distributed.LocalCluster`` started for the run.

A task is submitted with a priority by its place in the plan's longest-first order, so the
longest cells start first. Keras cells ask for one unit of the ``GPU`` resource when a worker
declares it (``dask worker --resources GPU=1``), so that a GPU runs one Keras cell at a time.
Workers find or fetch data under the task's data folder, through the same verified fetcher.
When a worker dies under a cell, Dask runs the cell again elsewhere; once the cell has been on
more than ``distributed.scheduler.allowed-failures`` workers that died (3 by default), it is
recorded as failed with the reason.

A cell with a time limit (``--timeout``) tells the driver when it starts on its worker (an event
of topic :data:`STARTED`, which the driver subscribes to). When it runs past its limit, its
future is cancelled and its worker restarted through its nanny (a worker without one cannot be:
a warning says so), and it is recorded as timed out, or submitted again while ``--retries``
allows.
"""

from __future__ import annotations

import contextlib
import importlib.util
import queue
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from nnbench import progress
from nnbench.errors import ConfigError
from nnbench.execute.base import (
    Executor,
    Task,
    lost_result,
    run_task,
    timed_out,
    usable_cores,
    worker_environment,
)
from nnbench.execute.run_one import forget_data
from nnbench.models import resolve_model
from nnbench.schemas.result import Result

INSTALL_HINT = "Install Dask with: pip install 'dask[distributed]'"
#: seconds to wait for a scheduler named by --scheduler
CONNECT_TIMEOUT_S = 10
#: the topic of the events by which a task with a time limit says it starts: its key and worker
STARTED = "nnbench-started"


def import_distributed() -> Any:
    """The ``distributed`` package, or bad input that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError(
            f"The Dask executors need dask.distributed ({exc}). {INSTALL_HINT}"
        ) from None
    return distributed


class DaskExecutor(Executor):
    """Cells as Dask tasks, on the cluster at ``scheduler``, or on a local cluster of
    ``workers`` worker processes (each with its share of the cores) when ``scheduler`` is
    None."""

    def __init__(self, scheduler: str | None = None, workers: int = 1) -> None:
        self.distributed = import_distributed()
        self.cluster = None
        if scheduler is None:
            import dask

            # set before each worker process starts, so that NumPy's BLAS loads with them too
            environ = "distributed.nanny.pre-spawn-environ"
            limits = worker_environment(max(1, usable_cores() // workers))
            with dask.config.set({environ: {**dask.config.get(environ), **limits}}):
                self.cluster = self.distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,  # one cell at a time per worker
                    processes=True,
                    dashboard_address=":0" if importlib.util.find_spec("bokeh") else None,
                )
            self.client = self.distributed.Client(self.cluster)
        else:
            try:
                self.client = self.distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, ValueError, TypeError) as exc:
                raise ConfigError(
                    f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({exc}). Start "
                    "one with `dask scheduler` and give its address, e.g. tcp://HOST:8786."
                ) from None
        self.futures: dict[Any, Task] = {}
        self.threads = 0
        #: finished futures, and None when a task starts (its deadline is then known)
        self.done: queue.Queue[Any] = queue.Queue()
        #: the driver's clock when each task with a time limit started, and its worker
        self.started: dict[str, tuple[float, str]] = {}
        self.gpu, self.run_id, self.first, self.subscribed = False, "", 0, False

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        self.gpu, self.run_id = self.declares_gpu(), uuid.uuid4().hex[:8]  # one run's keys
        self.threads = sum(self.client.nthreads().values())
        self.first = len(tasks) + 1  # the priority of a task submitted again: before the rest
        if any(task.timeout is not None for task in tasks):
            self.client.subscribe_topic(STARTED, self.note_start)
            self.subscribed = True
        for position, task in enumerate(tasks):
            self.submit(task, len(tasks) - position)
        while self.futures:
            try:
                future = self.done.get(timeout=self.until_deadline())
            except queue.Empty:
                future = None
            if future is None:  # a deadline passed, or a task started
                yield from self.expire_overdue()
            elif future in self.futures:  # not one cancelled at its time limit
                self.started.pop(future.key, None)
                task = self.futures.pop(future)
                yield task, self.outcome(task, future)

    def submit(self, task: Task, priority: int) -> None:
        """Submit ``task`` with ``priority`` (higher runs first)."""
        again = f"-again{task.timed_out}" if task.timed_out else ""
        future = self.client.submit(
            run_reporting_start,
            task,
            key=f"nnbench-{self.run_id}-{task.index}-{task.cell.cell_id}{again}",
            priority=priority,
            resources={"GPU": 1} if self.gpu and uses_keras(task) else None,
        )
        self.futures[future] = task
        future.add_done_callback(self.done.put)

    def outcome(self, task: Task, future: Any) -> Result:
        """The result of ``task``'s finished future; failed when its workers kept dying."""
        try:
            result: Result = future.result()
        except self.distributed.KilledWorker as exc:
            return lost_result(task, f"Dask workers died running this cell: {exc}")
        return result

    def note_start(self, event: tuple[float, dict[str, str]]) -> None:
        """Record when a task with a time limit started (by the driver's clock), and where;
        wake the driver, which now knows its deadline. Called in the client's thread."""
        _, started = event
        self.started[started["key"]] = time.monotonic(), started["worker"]
        self.done.put(None)

    def deadlines(self) -> Iterator[tuple[Any, Task, float, str]]:
        """Each running task with a time limit: its future, the task, its deadline, its
        worker."""
        for future, task in list(self.futures.items()):
            began = self.started.get(future.key)
            if began is not None and task.timeout is not None:
                yield future, task, began[0] + task.timeout, began[1]

    def until_deadline(self) -> float | None:
        """Seconds until the nearest deadline of a running task (None: none is known)."""
        deadlines = [deadline for _, _, deadline, _ in self.deadlines()]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def expire_overdue(self) -> Iterator[tuple[Task, Result]]:
        """Cancel each task past its deadline and restart its worker; submit the task again
        while its retries allow, else yield its timed-out result."""
        for future, task, deadline, worker in self.deadlines():
            if time.monotonic() < deadline:
                continue
            if not self.still_on(future, worker):  # rescheduled: a new start event will come
                self.started.pop(future.key, None)
                continue
            del self.futures[future]
            self.started.pop(future.key, None)
            future.cancel()
            after = timed_out(task, self.stop_worker(worker, task))
            if isinstance(after, Task):
                self.submit(after, self.first)
            else:
                yield task, after

    def still_on(self, future: Any, address: str) -> bool:
        """Whether ``future``'s task is still processing on the worker at ``address`` (not
        moved elsewhere, or queued again, since it reported its start there)."""
        try:
            processing = self.client.processing([address]).get(address, ())
        except Exception:  # the scheduler cannot say: trust the start event
            return True
        return future.key in processing

    def stop_worker(self, address: str, task: Task) -> str:
        """Restart the worker at ``address``, which runs ``task`` past its time limit, through
        its nanny; what became of it, in words. When it cannot be, a warning says so."""
        try:
            status = self.client.restart_workers([address], raise_for_error=False)[address]
        except Exception as exc:  # no nanny, or the cluster is gone: the run goes on
            status = f"{type(exc).__name__}: {exc}"
        if status == "OK":
            return "its Dask worker was restarted"
        progress.info(
            f"nnbench: warning: {task.tag} {task.cell.label()} ran past its time limit, and its "
            f"Dask worker {address} could not be restarted ({status}): it may still be running "
            "the cell. Start Dask workers with a nanny (the default of `dask worker`)."
        )
        return f"its Dask worker could not be restarted ({status})"

    def declares_gpu(self) -> bool:
        """Whether any worker of the cluster declares a ``GPU`` resource."""
        workers = self.client.scheduler_info().get("workers", {}).values()
        return any("GPU" in worker.get("resources", {}) for worker in workers)

    def running(self) -> int:
        return min(self.threads, len(self.futures))

    def describe(self) -> str:
        address = self.client.scheduler.address
        where = "a local Dask cluster" if self.cluster else f"the Dask cluster at {address}"
        nthreads = self.client.nthreads()
        services = self.client.scheduler_info().get("services", {})
        dashboard = f"; dashboard: {self.client.dashboard_link}" if "dashboard" in services else ""
        shared = any(count > 1 for count in nthreads.values())
        warning = (
            "; some workers run several cells at once (--nthreads above 1): Keras cells are then "
            "not reproducible, their peak memory counts the others', and a worker restarted at a "
            "time limit stops them too; start workers with --nthreads 1"
            if shared
            else ""
        )
        return f"on {where} ({len(nthreads)} workers){dashboard}{warning}"

    def close(self) -> None:
        self.client.cancel(list(self.futures))
        if self.subscribed:
            self.client.unsubscribe_topic(STARTED)
        if self.cluster is None:  # the cluster's workers outlive the run: free their memory
            with contextlib.suppress(Exception):  # best effort: the cluster may be gone
                self.client.run(forget_data)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run_reporting_start(task: Task) -> Result:
    """:func:`run_task` on a Dask worker; a task with a time limit first tells the driver that
    it starts (an event of topic :data:`STARTED`)."""
    if task.timeout is not None:
        from distributed import get_worker

        worker = get_worker()
        started = {"key": str(worker.get_current_task()), "worker": worker.address}
        worker.log_event(STARTED, started)
    return run_task(task)


def uses_keras(task: Task) -> bool:
    """Whether the task's model is a Keras builder (it then wants the GPU)."""
    return resolve_model(task.cell.model).kind == "keras"
