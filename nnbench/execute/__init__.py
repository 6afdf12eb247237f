"""Running cells: :func:`nnbench.execute.run_one.run_one`, and the executors that hand cells
to it. This module is light (the CLI imports it to build its flags); executors are imported
when chosen.

- ``local``: in this process, one at a time (the default);
- ``--jobs N``: N local worker processes (:mod:`nnbench.execute.processes`);
- ``dask``, ``dask-local``: a Dask cluster (:mod:`nnbench.execute.on_dask`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnbench.errors import ConfigError

if TYPE_CHECKING:
    from nnbench.execute.base import Executor

EXECUTORS = ("local", "dask", "dask-local")


def check_executor_flags(
    kind: str = "local", jobs: int = 1, workers: int | None = None, scheduler: str | None = None
) -> None:
    """Raise ConfigError for a flag that does not fit the executor ``kind``."""
    misfits = [
        ("--jobs", jobs != 1, "local"),
        ("--workers", workers is not None, "dask-local"),
        ("--scheduler", scheduler is not None, "dask"),
    ]
    for flag, given, belongs in misfits:
        if given and kind != belongs:
            raise ConfigError(f"{flag} is for --executor {belongs}, not {kind}; leave it out.")
    if kind == "dask" and scheduler is None:
        raise ConfigError(
            "--executor dask needs --scheduler tcp://HOST:PORT, the address `dask scheduler` "
            "prints; or try Dask on this machine with --executor dask-local --workers N."
        )


def make_executor(
    kind: str = "local", jobs: int = 1, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """Start the executor the flags ask for (see :func:`check_executor_flags`)."""
    check_executor_flags(kind, jobs, workers, scheduler)
    if kind in ("dask", "dask-local"):
        from nnbench.execute.base import usable_cores
        from nnbench.execute.on_dask import DaskExecutor

        return DaskExecutor(scheduler, workers or usable_cores())
    if jobs > 1:
        from nnbench.execute.processes import ProcessExecutor

        return ProcessExecutor(jobs)
    from nnbench.execute.local import LocalExecutor

    return LocalExecutor()
