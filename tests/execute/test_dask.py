"""Dask: a LocalCluster, and a scheduler and workers started as separate processes, give the
local executor's results; a worker killed under a cell does not sink the run."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed
import pytest

from nnbench.cli import main
from nnbench.errors import ConfigError
from nnbench.execute import check_executor_flags
from nnbench.execute.on_dask import DaskExecutor
from nnbench.plan import Cell
from nnbench.results import read_run
from nnbench.runner import run_cells
from tests.execute.common import GRID, WORKER_MODELS, grid_cells, outcome

#: the ``dask`` command installed beside this Python
DASK = str(Path(sys.executable).parent / "dask")


def two_workers() -> DaskExecutor:
    return DaskExecutor(workers=2)


@pytest.mark.slow
def test_a_local_cluster_gives_the_local_results(tmp_path: Path, data_dir: Path):
    cells = grid_cells(tmp_path, data_dir)
    local = run_cells(cells, data_dir, tmp_path / "local")
    on_dask = run_cells(cells, data_dir, tmp_path / "dask", executor=two_workers)
    assert len(on_dask) == 8
    assert outcome(on_dask) == outcome(local)
    assert [r["cell_index"] for r in read_run(tmp_path / "dask")] == list(range(8))


@pytest.mark.slow
def test_a_cell_whose_dask_worker_dies_runs_again_elsewhere(tmp_path: Path, data_dir: Path):
    marker = tmp_path / "died"
    cells = [
        Cell("mnist", f"{WORKER_MODELS}:DiesOnce", 0, {"marker": str(marker)}, subset=500),
        Cell("mnist", "naive_bayes", 0, subset=500),
    ]
    results = run_cells(cells, data_dir, tmp_path / "run", executor=two_workers)
    assert marker.exists()  # the first try killed its worker; the nanny started a new one
    assert [r["status"] for r in results] == ["ok", "ok"]


@pytest.mark.slow
def test_a_cell_that_kills_every_worker_is_recorded_as_failed(tmp_path: Path, data_dir: Path):
    cells = [
        Cell("mnist", f"{WORKER_MODELS}:AlwaysDies", 0, subset=500),
        Cell("mnist", "naive_bayes", 0, subset=500),
    ]
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # one death is enough
        results = run_cells(cells, data_dir, tmp_path / "run", executor=two_workers)
    assert [r["status"] for r in results] == ["failed", "ok"]
    assert results[0]["error"].startswith("Dask workers died running this cell: Attempted to run")
    assert results[0]["error_kind"] == "model"


@pytest.mark.slow
def test_keras_cells_ask_for_a_gpu_when_a_worker_declares_one(
    tmp_path: Path, data_dir, monkeypatch
):
    asked = {}
    cluster = {"n_workers": 1, "threads_per_worker": 1, "dashboard_address": None}
    with distributed.LocalCluster(**cluster, resources={"GPU": 1}) as gpus:
        executor = DaskExecutor(scheduler=gpus.scheduler_address)
        submit = executor.client.submit

        def recording_submit(function, task, **options):
            asked[task.cell.model] = options["resources"]
            return submit(function, task, **options)

        monkeypatch.setattr(executor.client, "submit", recording_submit)
        cells = [
            Cell("mnist", "naive_bayes", subset=200),
            Cell("mnist", "dense_nn", subset=200, skip="only the resources it asks for count"),
        ]
        results = run_cells(cells, data_dir, tmp_path / "run", executor=lambda: executor)
    assert asked == {"naive_bayes": None, "dense_nn": {"GPU": 1}}
    assert [r["status"] for r in results] == ["ok", "skipped"]


def scheduler_file_address(file: Path, scheduler: subprocess.Popen[bytes]) -> str:
    """The address in the scheduler file ``file`` once ``scheduler`` has written all of it: the
    scheduler writes it in place, not atomically, so a file that exists may not parse yet."""
    deadline = time.monotonic() + 60
    while True:
        assert scheduler.poll() is None, "the scheduler exited"
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError, KeyError):
            return str(json.loads(file.read_text())["address"])
        assert time.monotonic() < deadline, "the scheduler wrote no address within 60 s"
        time.sleep(0.1)


@pytest.fixture
def scheduler_address(tmp_path: Path) -> Iterator[str]:
    """A ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1: the address."""
    file = tmp_path / "scheduler.json"
    common = ["--scheduler-file", str(file), "--host", "127.0.0.1", "--no-dashboard"]
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--port", "0", *common], stderr=subprocess.DEVNULL
    )
    processes = [scheduler]
    try:
        address = scheduler_file_address(file, scheduler)
        worker = [DASK, "worker", "--nthreads", "1", *common]
        processes += [subprocess.Popen(worker, stderr=subprocess.DEVNULL) for _ in range(2)]
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.mark.slow
def test_a_scheduler_and_workers_started_by_hand(tmp_path: Path, data_dir, scheduler_address):
    suite = tmp_path / "executors.toml"
    suite.write_text(GRID)
    argv = ["all", "--suite", str(suite), "--seeds", "0,1", "--subset", "1000"]
    assert main([*argv, "--out", str(tmp_path / "local")]) == 0
    distributed = ["--executor", "dask", "--scheduler", scheduler_address]
    assert main([*argv, *distributed, "--out", str(tmp_path / "dask")]) == 0
    on_dask, local = read_run(tmp_path / "dask"), read_run(tmp_path / "local")
    assert len(on_dask) == 8 and outcome(on_dask) == outcome(local)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"kind": "dask"}, "--executor dask needs --scheduler tcp://HOST:PORT"),
        ({"kind": "dask", "jobs": 2}, "--jobs is for --executor local, not dask; leave it out."),
        ({"workers": 2}, "--workers is for --executor dask-local, not local; leave it out."),
        ({"scheduler": "tcp://x:1"}, "--scheduler is for --executor dask, not local"),
    ],
)
def test_flags_that_do_not_fit_the_executor_are_bad_input(flags, message):
    with pytest.raises(ConfigError, match=message):
        check_executor_flags(**flags)


def test_an_unreachable_scheduler_is_bad_input(capsys, monkeypatch):
    monkeypatch.setattr("nnbench.execute.on_dask.CONNECT_TIMEOUT_S", 1)
    argv = ["run", "--model", "naive_bayes", "--dataset", "mnist", "--subset", "100"]
    assert main([*argv, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "--scheduler tcp://127.0.0.1:9: cannot reach a Dask scheduler there" in err
    assert "Traceback" not in err
