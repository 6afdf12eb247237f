"""Dask distributed: ``--executor dask --scheduler ADDRESS`` submits cells to a running cluster,
``--executor dask-local --workers N`` to a ``distributed.LocalCluster`` started for the run.

A task is submitted with a priority by its place in the plan's longest-first order, so the
longest cells start first. Keras cells ask for one unit of the ``GPU`` resource when a worker
declares it (``dask worker --resources GPU=1``), so that a GPU runs one Keras cell at a time.
Workers find or fetch data under the task's data folder, through the same verified fetcher.
When a worker dies under a cell, Dask runs the cell again elsewhere; once the cell has been on
more than ``distributed.scheduler.allowed-failures`` workers that died (3 by default), it is
recorded as failed with the reason.
"""

from __future__ import annotations

import contextlib
import importlib.util
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from nnbench.errors import ConfigError
from nnbench.execute.base import (
    Executor,
    Task,
    lost_result,
    run_task,
    usable_cores,
    worker_environment,
)
from nnbench.execute.run_one import forget_data
from nnbench.models import resolve_model
from nnbench.results import Result

INSTALL_HINT = "Install Dask with: pip install 'dask[distributed]'"
#: seconds to wait for a scheduler named by --scheduler
CONNECT_TIMEOUT_S = 10


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

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, Result]]:
        gpu, run = self.declares_gpu(), uuid.uuid4().hex[:8]  # keys of one run, not another's
        self.threads = sum(self.client.nthreads().values())
        self.futures = {
            self.client.submit(
                run_task,
                task,
                key=f"nnbench-{run}-{task.index}-{task.cell.cell_id}",
                priority=len(tasks) - position,
                resources={"GPU": 1} if gpu and uses_keras(task) else None,
            ): task
            for position, task in enumerate(tasks)
        }
        for future in self.distributed.as_completed(list(self.futures)):
            task = self.futures.pop(future)
            try:
                result = future.result()
            except self.distributed.KilledWorker as exc:
                result = lost_result(task, f"Dask workers died running this cell: {exc}")
            yield task, result

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
            "not reproducible, start workers with --nthreads 1"
            if shared
            else ""
        )
        return f"on {where} ({len(nthreads)} workers){dashboard}{warning}"

    def close(self) -> None:
        self.client.cancel(list(self.futures))
        if self.cluster is None:  # the cluster's workers outlive the run: free their memory
            with contextlib.suppress(Exception):  # best effort: the cluster may be gone
                self.client.run(forget_data)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def uses_keras(task: Task) -> bool:
    """Whether the task's model is a Keras builder (it then wants the GPU)."""
    return resolve_model(task.cell.model).kind == "keras"
