"""Per-cell time limits (``--timeout``, a suite's ``timeout``): a cell whose fit never returns
is stopped at its limit on every executor, recorded as failed with ``error_kind`` "timeout",
and the run goes on and ends with exit 1."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import distributed
import pytest

from nnbench.cli import main
from nnbench.execute.base import Task, run_task, timed_out
from nnbench.execute.on_dask import DaskExecutor
from nnbench.plan import Cell
from nnbench.results import read_run
from nnbench.runner import run_cells

STUCK = Path(__file__).resolve().parent / "worker_models.py"
#: the issue's acceptance criterion: a run with a cell stuck forever and --timeout 5 ends within
RUN_LIMIT_S = 15


def timed_run(tmp_path: Path, data_dir: Path, models: str, *flags: str) -> tuple[int, float]:
    """``nnbench run --model MODELS`` on 500 MNIST images with ``flags``: its exit status and
    its wall time in seconds."""
    argv = ["run", "--model", models, "--dataset", "mnist", "--subset", "500"]
    argv += ["--data-dir", str(data_dir), "--out", str(tmp_path / "run"), *flags]
    started = time.monotonic()
    status = main(argv)
    return status, time.monotonic() - started


@pytest.mark.parametrize(
    ("stuck", "flags"),
    [("Hangs", ()), ("Hangs", ("--jobs", "2")), ("HangsIgnoringSigterm", ())],
    ids=["local", "jobs-2", "local-ignores-sigterm"],
)
def test_a_cell_stuck_forever_is_stopped_at_its_limit_and_the_run_goes_on(
    tmp_path: Path, data_dir: Path, capsys, stuck: str, flags: tuple[str, ...]
):
    models = f"naive_bayes,{STUCK}:{stuck}"
    status, seconds = timed_run(tmp_path, data_dir, models, "--timeout", "5", *flags)
    err = capsys.readouterr().err
    print(f"the run with a stuck cell ({stuck}, {flags or 'local'}) took {seconds:.1f} s")
    assert seconds < RUN_LIMIT_S, f"the run took {seconds:.1f} s"
    assert status == 1  # a model failure, not bad input
    bayes, hung = read_run(tmp_path / "run")
    assert (bayes["model"], bayes["status"]) == ("naive_bayes", "ok")
    assert (hung["status"], hung["error_kind"], hung["attempts"]) == ("failed", "timeout", 1)
    assert hung["error"] == (
        "ran past its time limit of 5 s; its worker was stopped. Raise --timeout or the "
        "suite's timeout, or find why it hangs"
    )
    assert f"[2/2] mnist · {hung['model']} · seed 0: FAILED · ran past its time limit" in err


def test_retries_run_a_timed_out_cell_again_on_a_fresh_worker(tmp_path: Path, data_dir, capsys):
    marker = tmp_path / "hung"
    models = f'{STUCK}:Hangs,{STUCK}:HangsOnce[marker="{marker}"]'
    flags = ["--timeout", "3", "--retries", "1", "--jobs", "2"]
    status, _ = timed_run(tmp_path, data_dir, models, *flags)
    err = capsys.readouterr().err
    assert status == 1
    always, once = read_run(tmp_path / "run")
    assert marker.exists()  # the first try of HangsOnce hung
    assert (always["status"], always["error_kind"], always["attempts"]) == ("failed", "timeout", 2)
    assert (once["status"], once["attempts"]) == ("ok", 2)
    assert "ran past its time limit of 3 s; trying again on a fresh worker (retry 1 of 1)" in err


def test_a_timed_out_task_is_tried_again_while_its_retries_allow():
    task = Task(4, Cell("mnist", "naive_bayes", timeout=2.5), "[5/9]", "data", retries=2)
    again = timed_out(task)
    assert isinstance(again, Task)
    assert (again.retries, again.timed_out, again.index) == (1, 1, 4)
    last = timed_out(Task(4, again.cell, "[5/9]", "data", retries=0, timed_out=2))
    assert (last["status"], last["error_kind"], last["attempts"]) == ("failed", "timeout", 3)
    assert last["error"].startswith("ran past its time limit of 2.5 s; its worker was stopped.")


def test_attempts_that_ran_past_the_limit_count_in_the_result(tmp_path: Path, data_dir: Path):
    cell = Cell("mnist", "naive_bayes", subset=200, timeout=60.0)
    result = run_task(Task(0, cell, "[1/1]", str(data_dir), timed_out=1))
    assert (result["status"], result["attempts"]) == ("ok", 2)


def test_a_timed_out_dask_cell_has_its_worker_restarted(tmp_path: Path, data_dir: Path):
    cells = [
        Cell("mnist", "naive_bayes", 0, subset=500, timeout=3.0),
        Cell("mnist", f"{STUCK}:Hangs", 0, subset=500, timeout=3.0),
        Cell("mnist", "naive_bayes", 1, subset=500, timeout=3.0),
    ]
    results = run_cells(cells, data_dir, tmp_path / "run", executor=lambda: DaskExecutor(None, 2))
    assert [r["status"] for r in results] == ["ok", "failed", "ok"]
    assert results[1]["error_kind"] == "timeout"
    assert results[1]["error"].startswith(
        "ran past its time limit of 3 s; its Dask worker was restarted. Raise --timeout"
    )


def test_a_dask_worker_that_cannot_be_restarted_is_named_and_the_timeout_recorded(
    tmp_path: Path, data_dir: Path, capsys
):
    release = tmp_path / "release"
    cell = Cell("mnist", f"{STUCK}:HangsUntilReleased", 0, {"release": str(release)}, subset=500)
    cluster = {"n_workers": 1, "threads_per_worker": 1, "dashboard_address": None}
    with distributed.LocalCluster(**cluster, processes=False) as threads:  # workers, no nanny
        executor = DaskExecutor(scheduler=threads.scheduler_address)
        try:
            [result] = run_cells(
                [replace(cell, timeout=2.0)], data_dir, tmp_path / "run", executor=lambda: executor
            )
        finally:
            release.touch()  # ends the fit that nothing could stop
    assert (result["status"], result["error_kind"]) == ("failed", "timeout")
    assert (
        "its Dask worker could not be restarted (ValueError: Restarting workers requires "
        in (result["error"])
    )
    assert "could not be restarted" in capsys.readouterr().err
