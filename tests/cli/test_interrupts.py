"""An interrupted run: Ctrl-C (SIGINT) or a kill (SIGKILL) while cells run leaves the finished
cells' result files whole and readable, and no half-written file that a reader could take for
a result."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from nnbench.cli import main
from nnbench.datasets.folder import write_folder
from nnbench.results import read_run, result_files
from nnbench.sidecars import sidecar_name
from tests.conftest import tiny_images

#: seconds to wait for a step of an interrupted run (its first result, the net's first epoch,
#: its end) before calling it hung: a guard only, the tests check exit statuses and files. On
#: 2 cores shared by 15 busy processes, importing Keras alone took 107 s
HANG_GUARD_S = 300

pytestmark = pytest.mark.slow  # each test runs nnbench, which trains a dense net


def run_argv(tmp_path: Path, epochs: int) -> list[str]:
    """A run of naive Bayes, then a dense net of ``epochs`` epochs, on a tiny folder dataset."""
    data = tmp_path / "imgs"
    if not data.exists():
        write_folder(data, tiny_images(1))
    models = ["--model", "naive_bayes,dense_nn", "--epochs", str(epochs)]
    return ["run", *models, "--dataset", f"folder:{data}"]


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ``ready()``, while ``process`` runs (the net's epochs: it may not end first)."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not ready():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"not ready within {HANG_GUARD_S} s"
        time.sleep(0.05)


def interrupted(
    tmp_path: Path,
    signal_number: int,
    epochs: int = 1000,
    flags: tuple[str, ...] = (),
    training: bool = True,
) -> tuple[int, Path]:
    """Start :func:`run_argv`'s run with ``flags``; send ``signal_number`` to nnbench alone
    once naive Bayes's result is written and, when ``training``, the dense net has trained an
    epoch; return the exit status and the run folder.

    Waiting for the epoch puts a SIGINT in Python code: one that lands while TensorFlow's
    native libraries load is acted on only once they are loaded (Python runs signal handlers
    between bytecodes): 5 to 17 s after the signal on 2 busy cores."""
    out = tmp_path / "run"
    argv = [*run_argv(tmp_path, epochs), *flags]
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "nnbench", *argv, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            # a job started in the background of a script ignores SIGINT, and so would its
            # children; here Ctrl-C must reach nnbench as it does in a terminal
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        wait_until(lambda: bool(result_files(out)), process, log)
        if training:
            wait_until(
                lambda: f"dense_nn · seed 0 · epoch 1/{epochs} " in log.read_text(), process, log
            )
        workers = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal_number)
        process.wait(timeout=HANG_GUARD_S)
    # no worker outlives nnbench, even killed: each ends with its driver
    assert not psutil.wait_procs(workers, timeout=10)[1], "a worker outlived nnbench"
    return process.returncode, out


@pytest.mark.parametrize(
    ("signal_number", "flags"),
    [
        (signal.SIGINT, ()),
        (signal.SIGKILL, ()),
        (signal.SIGINT, ("--jobs", "2")),
        (signal.SIGKILL, ("--jobs", "2")),
    ],
    ids=["SIGINT", "SIGKILL", "SIGINT-jobs-2", "SIGKILL-jobs-2"],
)
def test_an_interrupted_run_keeps_its_finished_results_whole(tmp_path, signal_number, flags):
    code, out = interrupted(tmp_path, signal_number, flags=flags)
    # with --jobs, the worker still training the dense net is stopped, not waited for
    assert " · epoch 1000/1000 · " not in (tmp_path / "stderr.txt").read_text()
    assert code == (130 if signal_number == signal.SIGINT else -signal.SIGKILL)
    [result] = read_run(out)  # valid by the schema, or read_run raises
    assert (result["model"], result["status"]) == ("naive_bayes", "ok")
    if signal_number == signal.SIGINT:  # cleaned up: nothing but the one result and its sidecar
        name = result_files(out)[0].name
        assert sorted(path.name for path in out.iterdir()) == sorted([name, sidecar_name(name)])
    assert "dense_nn" not in {result["model"] for result in read_run(out)}


@pytest.mark.parametrize("flags", [(), ("--jobs", "2")], ids=["local", "jobs-2"])
def test_a_killed_run_resumes_without_rerunning_its_finished_cells(tmp_path, capsys, flags):
    # a cell's key does not depend on the executor: a --jobs run resumes in one process
    code, out = interrupted(tmp_path, signal.SIGKILL, epochs=20, flags=flags, training=False)
    assert code == -signal.SIGKILL
    [first] = result_files(out)
    written = first.read_bytes()
    assert main([*run_argv(tmp_path, 20), "--resume", str(out)]) == 0
    assert "2 cells, 1 of them done already" in capsys.readouterr().err
    results = read_run(out)  # every cell exactly once, all successful
    assert sorted(result["model"] for result in results) == ["dense_nn", "naive_bayes"]
    assert {result["status"] for result in results} == {"ok"}
    assert len(result_files(out)) == 2 and first.read_bytes() == written  # not run again
    assert main([*run_argv(tmp_path, 20), "--resume", str(out)]) == 0  # nothing left to run
    assert "2 cells, 2 of them done already" in capsys.readouterr().err
    assert len(result_files(out)) == 2
