"""``--jobs N``: worker processes give the local executor's results, import TensorFlow only
for Keras cells, keep to their share of the cores, and survive a worker killed under a cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.execute.base import Task, usable_cores, worker_environment
from nnbench.execute.processes import ProcessExecutor, take
from nnbench.plan import Cell
from nnbench.results import read_run
from nnbench.runner import run_cells
from tests.execute.common import WORKER_MODELS, grid_cells, outcome


def two_workers() -> ProcessExecutor:
    return ProcessExecutor(2)


@pytest.mark.slow
def test_two_worker_processes_give_the_local_results(tmp_path: Path, data_dir: Path):
    cells = grid_cells(tmp_path, data_dir)
    local = run_cells(cells, data_dir, tmp_path / "local")
    parallel = run_cells(cells, data_dir, tmp_path / "jobs", executor=two_workers)
    assert len(local) == len(parallel) == 8
    assert outcome(parallel) == outcome(local)
    assert {r["status"] for r in parallel} == {"ok"}
    assert [r["cell_index"] for r in read_run(tmp_path / "jobs")] == list(range(8))


@pytest.mark.slow
def test_workers_keep_to_their_share_of_the_cores_and_import_no_tensorflow(tmp_path, data_dir):
    reporter = f"{WORKER_MODELS}:ReportsWorker"
    cells = [Cell("mnist", reporter, seed, subset=500) for seed in (0, 1, 2)]
    results = run_cells(cells, data_dir, tmp_path / "run", executor=two_workers)
    share = max(1, usable_cores() // 2)
    for result in results:  # workers that ran only scikit-learn cells never imported TensorFlow
        info = result["model_info"]
        assert (info["frameworks"], info["omp_num_threads"]) == ([], str(share))
        assert info["library_threads"] == share
        assert info["jax_preallocates"] == "false"  # workers share a GPU


def test_a_gpu_setting_the_user_made_is_kept(monkeypatch):
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    monkeypatch.delenv("TF_FORCE_GPU_ALLOW_GROWTH", raising=False)
    environment = worker_environment(3)
    assert environment["XLA_PYTHON_CLIENT_PREALLOCATE"] == "true"
    assert environment["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    assert environment["OMP_NUM_THREADS"] == environment["TF_NUM_INTRAOP_THREADS"] == "3"


@pytest.mark.slow
def test_a_cell_whose_worker_is_killed_runs_again_on_a_new_worker(tmp_path: Path, data_dir):
    marker = tmp_path / "died"
    dies_once = Cell("mnist", f"{WORKER_MODELS}:DiesOnce", 0, {"marker": str(marker)}, subset=500)
    always = Cell("mnist", f"{WORKER_MODELS}:AlwaysDies", 0, subset=500)
    plain = Cell("mnist", "naive_bayes", 0, subset=500)
    cells = [dies_once, always, plain]
    results = run_cells(cells, data_dir, tmp_path / "run", executor=two_workers)
    assert marker.exists()  # the first try killed its worker
    assert [r["status"] for r in results] == ["ok", "failed", "ok"]
    assert results[1]["error"] == (
        "the worker process running this cell died 2 times (the last one killed by SIGKILL): "
        "killed, out of memory, or a crash in native code; see the run's stderr"
    )
    assert results[1]["error_kind"] == "model"
    assert len(read_run(tmp_path / "run")) == 3


def test_a_free_worker_prefers_its_data_unless_a_much_longer_cell_waits():
    def task(index: int, dataset: str, cost: float) -> Task:
        return Task(index, Cell(dataset, "naive_bayes"), f"[{index}]", "data", cost=cost)

    def holding(dataset: str) -> tuple:
        return dataset, None, None, None, "data"

    pending = [task(0, "mnist", 10), task(1, "faces-synthetic", 6), task(2, "faces-synthetic", 4)]
    assert take(pending, holding("faces-synthetic")).index == 1  # 6 s is at least half of 10 s
    assert take(pending, holding("faces-synthetic")).index == 0  # 4 s is not: the longest first
    assert take(pending, None).index == 2


@pytest.mark.slow
def test_jobs_from_the_command_line(tmp_path: Path, data_dir: Path, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", "mnist", "--subset", "500"]
    assert main([*argv, "--seeds", "0,1", "--jobs", "2", "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"running 2 on 2 worker processes of \d+ thread\(s\) each", err)
    assert "nnbench: 2/2 done · 0 running · 0 failed · 0 left · elapsed " in err
    assert sorted(r["seed"] for r in read_run(tmp_path / "run")) == [0, 1]
