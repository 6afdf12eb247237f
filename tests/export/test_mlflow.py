"""``nnbench export --to mlflow`` against real MLflow stores (SQLite, a file store, a server),
read back with ``MlflowClient``: runs, params, metrics, per-epoch steps, tags and artifacts;
exporting again adds nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH

from nnbench.cli import main
from nnbench.export import to_mlflow
from nnbench.export.cell_runs import PARAM_LIMIT, TAG_LIMIT, safe
from nnbench.results import write_result
from tests.export.conftest import LONG, ODD_CLASSES
from tests.test_results import make_result

#: MLflow's rule for metric, param and tag keys (mlflow.utils.validation)
MLFLOW_KEY = re.compile(r"^[/\w.\- :]*$")


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MLflow puts a SQLite store's artifacts in ./mlruns: keep them in tmp_path."""
    monkeypatch.chdir(tmp_path)


def export(capsys, *argv: str) -> tuple[int, str, str]:
    """``nnbench export ARGV``: its exit status, stdout and stderr."""
    capsys.readouterr()
    status = main(["export", *argv])
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def runs_of(uri: str, experiment: str) -> dict[str, Run]:
    """Every run of the experiment, by run name."""
    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    return {run.info.run_name: run for run in client.search_runs([found.experiment_id])}


def artifacts(uri: str, run: Run, path: str | None = None) -> list[str]:
    return sorted(info.path for info in MlflowClient(uri).list_artifacts(run.info.run_id, path))


def history(uri: str, run: Run, key: str) -> list[tuple[int, float]]:
    metrics = MlflowClient(uri).get_metric_history(run.info.run_id, key)
    return sorted((metric.step, metric.value) for metric in metrics)


def check_synthetic_export(uri: str, run_dir: Path) -> None:
    """What ``run-a`` (see conftest) becomes in MLflow."""
    runs = runs_of(uri, "run-a")
    parent = runs.pop("run-a")
    assert len(runs) == 5
    assert {run.data.tags["mlflow.parentRunId"] for run in runs.values()} == {parent.info.run_id}
    assert artifacts(uri, parent) == ["plots", "report.md"]
    assert artifacts(uri, parent, "plots") == ["plots/accuracy.svg"]

    dense = runs["synthetic-digits · dense_nn · seed 0"]
    stem = next(run_dir.glob("synthetic-digits__dense_nn__*.json")).stem
    result = json.loads((run_dir / f"{stem}.json").read_text())
    assert dense.info.status == "FINISHED"
    assert dense.data.params["precision"] == "mixed_float16"
    assert dense.data.params["optimizer.name"] == "adam"
    assert dense.data.params["optimizer.lr"] == "0.001"
    assert dense.data.params["seed"] == "0"
    assert dense.data.params["note"] == LONG[: MAX_PARAM_VAL_LENGTH - 1] + "…"
    tags = dense.data.tags
    assert {key: tags[key] for key in ("dataset", "model", "seed", "status", "synthetic")} == {
        "dataset": "synthetic-digits",
        "model": "dense_nn",
        "seed": "0",
        "status": "ok",
        "synthetic": "true",
    }
    assert tags["cell_key"] == stem and tags["precision"] == "mixed_float16"
    assert tags["nnbench_version"] == result["env"]["nnbench"]
    metrics = dense.data.metrics
    assert metrics["test_accuracy"] == result["metrics"]["test"]["accuracy"]
    assert metrics["train_accuracy"] == result["metrics"]["train"]["accuracy"]
    assert metrics["test_accuracy_class_3"] == result["metrics"]["test"]["per_class"]["3"]
    assert metrics["fit_s"] == 1.0 and metrics["predict_s"] == 0.02
    assert history(uri, dense, "epoch/train_loss") == [
        (1, 1.0),
        (2, 0.5),
        (3, pytest.approx(1 / 3)),
    ]
    assert [step for step, _ in history(uri, dense, "epoch/test_accuracy")] == [1, 2, 3]
    assert artifacts(uri, dense) == [f"{stem}.json", f"{stem}.predictions.npz"]

    odd = runs["pets · naive_bayes · seed 0"]
    classes = {f"test_accuracy_class_{safe(name)}": value for name, value in ODD_CLASSES.items()}
    assert {key: odd.data.metrics[key] for key in classes} == classes
    assert all(MLFLOW_KEY.match(key) for run in runs.values() for key in run.data.metrics)

    failed = runs["mnist · cnn · seed 0"]
    assert failed.info.status == "FAILED"
    assert failed.data.tags["status"] == "failed" and failed.data.tags["error_kind"] == "model"
    assert failed.data.tags["error"] == "MemoryError: out of memory"
    assert artifacts(uri, failed) == ["mnist__cnn__seed0__f41l.json"]
    skipped = runs["mnist · lasso_logit · seed 0"]
    assert skipped.info.status == "KILLED"
    assert skipped.data.tags["skip_reason"] == "cyanure is not installed"


@pytest.mark.slow
def test_a_run_folder_exports_to_sqlite_once(synthetic_run, tmp_path, capsys, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    status, out, err = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
    assert status == 0, err
    assert out.splitlines() == [
        "experiment 'run-a': 5 runs exported, 0 skipped as already exported",
        f"tracking URI: {uri}",
    ]
    assert "exported synthetic-digits · dense_nn · seed 0 (1/5 of run-a)" in err
    check_synthetic_export(uri, synthetic_run)

    monkeypatch.setattr(to_mlflow, "RUNS_PER_PAGE", 2)  # what is there is read in 3 pages
    status, out, _ = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
    assert status == 0 and "0 runs exported, 5 skipped" in out
    assert len(runs_of(uri, "run-a")) == 6

    # the failed cell, run again: a new result file, so a new run beside the failed one
    write_result(make_result(model="cnn", cell_id="f41l", cell_index=3), synthetic_run)
    status, out, _ = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
    assert "1 run exported, 4 skipped" in out
    client = MlflowClient(uri)
    cnn = client.search_runs(
        [client.get_experiment_by_name("run-a").experiment_id], "tags.cell_key LIKE '%cnn%'"
    )
    assert sorted(run.data.tags["status"] for run in cnn) == ["failed", "ok"]


@pytest.mark.slow
def test_the_lecture_run_exports_its_four_cells(lecture_run, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert export(capsys, str(lecture_run), "--to", "mlflow", "--tracking-uri", uri)[0] == 0
    runs = runs_of(uri, "lecture-mnist")
    parent = runs.pop("lecture-mnist")
    reports = ["plots", "report.csv", "report.html", "report.md", "report.tex"]
    assert artifacts(uri, parent) == reports
    assert len(artifacts(uri, parent, "plots")) == len(list((lecture_run / "plots").iterdir()))
    assert sorted(runs) == [
        f"mnist · {model} · seed 0" for model in ("cnn", "dense_nn", "lasso_logit", "naive_bayes")
    ]
    for path in lecture_run.glob("*__seed0__*.json"):
        result = json.loads(path.read_text())
        run = runs[f"mnist · {result['model']} · seed 0"]
        assert run.data.tags["cell_key"] == path.stem and run.info.status == "FINISHED"
        assert run.data.metrics["test_accuracy"] == result["metrics"]["test"]["accuracy"]
        assert run.data.metrics["peak_rss_bytes"] == result["cost"]["memory"]["peak_rss_bytes"]
        for name, value in result["metrics"]["test"]["scores"].items():
            assert run.data.metrics[f"test_{name}"] == value
        epochs = [row["epoch"] for row in result["history"]]
        assert [step for step, _ in history(uri, run, "epoch/test_accuracy")] == epochs
        assert bool(epochs) == (result["model"] in ("dense_nn", "cnn"))
        assert artifacts(uri, run) == [path.name, f"{path.stem}.predictions.npz"]

    status, out, _ = export(capsys, str(lecture_run), "--to", "mlflow", "--tracking-uri", uri)
    assert status == 0 and "0 runs exported, 4 skipped" in out
    assert len(runs_of(uri, "lecture-mnist")) == 5


@pytest.mark.slow
def test_the_experiment_is_the_study_unless_named(tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    run_dir = tmp_path / "some-folder"
    run_dir.mkdir()
    write_result(make_result(study="losses"), run_dir)
    assert export(capsys, str(run_dir), "--to", "mlflow", "--tracking-uri", uri)[0] == 0
    assert len(runs_of(uri, "losses")) == 2
    argv = [str(run_dir), "--to", "mlflow", "--tracking-uri", uri, "--experiment", "mine"]
    assert "experiment 'mine': 1 run exported" in export(capsys, *argv)[1]


@pytest.mark.slow
def test_a_deleted_experiment_is_named_not_reused(synthetic_run, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(uri)
    client.delete_experiment(client.create_experiment("run-a"))
    status, _, err = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
    assert status == 2 and "The MLflow experiment 'run-a' is deleted" in err


def test_without_mlflow_it_says_how_to_install_it(synthetic_run, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    status, out, err = export(capsys, str(synthetic_run), "--to", "mlflow")
    assert status == 2 and out == ""
    assert "pip install 'nnbench[mlflow]'" in err


def test_the_file_store_needs_mlflows_opt_in(synthetic_run, tmp_path, monkeypatch, capsys):
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    status, _, err = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
    assert status == 2 and "MLFLOW_ALLOW_FILE_STORE" in err
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    assert export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)[0] == 0
    check_synthetic_export(uri, synthetic_run)


def test_mlflows_limits_are_the_ones_it_enforces():
    assert (PARAM_LIMIT, TAG_LIMIT) == (MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    """An ``mlflow server`` on 127.0.0.1 with its store and artifacts in ``folder``; its URI."""
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    command += ["--backend-store-uri", f"sqlite:///{folder / 'server.db'}"]
    command += ["--artifacts-destination", str(folder / "artifacts")]
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert server.poll() is None, (folder / "server.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "mlflow server did not start in 30 s"
                time.sleep(0.2)
        yield uri
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the workers it started
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.mark.slow
def test_a_run_folder_exports_to_an_mlflow_server(synthetic_run, tmp_path, capsys):
    with mlflow_server(tmp_path) as uri:
        status, out, err = export(
            capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri
        )
        assert status == 0, err
        assert f"tracking URI: {uri}" in out
        check_synthetic_export(uri, synthetic_run)
        status, out, _ = export(capsys, str(synthetic_run), "--to", "mlflow", "--tracking-uri", uri)
        assert "0 runs exported, 5 skipped" in out
        assert len(runs_of(uri, "run-a")) == 6
    assert (tmp_path / "artifacts").is_dir()  # the server kept the artifacts where it was told
