"""The first hour of a new user with a model of their own, end to end on the command line: a
parameter for one model, training that went wrong, a model edited between a run and its
resume, failed and skipped cells resumed, and what the run says on stderr."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nnbench.cli import main
from nnbench.results import read_run

KNN = "sklearn.neighbors:KNeighborsClassifier"

#: a Keras builder that forgets Rescaling, named as a user names a module's builder
UNSCALED = "tests.test_testing:unscaled_builder"

FLAKY = '''
import os

from nnbench.models.naive_bayes import NaiveBayes


class Flaky(NaiveBayes):
    """Fails while FLAKY_FAILS is set."""

    def fit(self, x, y, **kwargs):
        if os.environ.get("FLAKY_FAILS"):
            raise RuntimeError("the GPU went away")
        return super().fit(x, y, **kwargs)


class Choosy(NaiveBayes):
    """Refuses the data while CHOOSY_REFUSES is set."""

    def skip_reason(self, data):
        return "not today" if os.environ.get("CHOOSY_REFUSES") else None
'''


def run(data_dir: Path, *argv: str) -> int:
    return main([*argv, "--data-dir", str(data_dir)])


def by_model(run_dir: Path) -> dict[str, dict]:
    return {result["model"]: result for result in read_run(run_dir)}


@pytest.mark.slow
def test_a_parameter_for_one_model_runs_beside_a_model_without_it(
    tmp_path: Path, data_dir: Path, mnist, capsys
):
    argv = ["run", "--model", f"{KNN}[n_neighbors=3],naive_bayes", "--dataset", "mnist"]
    assert run(data_dir, *argv, "--subset", "2000", "--out", str(tmp_path / "run")) == 0
    results = by_model(tmp_path / "run")
    assert results[KNN]["params"]["n_neighbors"] == 3
    assert results[KNN]["variant"] == "n_neighbors=3"
    assert results["naive_bayes"]["params"] == {"variant": "multinomial"}
    assert f"| {KNN} [n_neighbors=3] " in capsys.readouterr().out


def test_param_for_every_model_is_refused_with_the_line_to_paste(tmp_path: Path, data_dir, capsys):
    argv = ["run", "--model", f"{KNN},naive_bayes", "--param", "n_neighbors=3"]
    assert run(data_dir, *argv, "--dataset", "mnist", "--out", str(tmp_path / "run")) == 2
    error = capsys.readouterr().err
    assert f"write it in brackets after them: --model '{KNN}[n_neighbors=3]',naive_bayes\n" in error
    assert "Traceback" not in error and not (tmp_path / "run").exists()


@pytest.mark.slow
def test_an_unscaled_builder_warns_in_its_result_the_report_and_once_at_the_end(
    tmp_path: Path, data_dir: Path, mnist, capsys
):
    models = f"{UNSCALED},naive_bayes,lasso_logit,dense_nn,cnn"
    argv = ["run", "--model", models, "--dataset", "mnist", "--subset", "5000", "--epochs", "1"]
    assert run(data_dir, *argv, "--out", str(tmp_path / "run")) == 0
    printed = capsys.readouterr()
    results = by_model(tmp_path / "run")
    [warning] = results[UNSCALED]["warnings"]
    assert warning.startswith("training went wrong: the training loss of epoch 1 was ")
    assert "Likely cause: the first layer with weights sees the pixels unscaled" in warning
    assert "keras.layers.Rescaling(1 / 255)" in warning
    for name in ("naive_bayes", "lasso_logit", "dense_nn", "cnn"):  # the built-ins do not warn
        assert results[name]["status"] == "ok" and results[name]["warnings"] == [], name
    lines = printed.err.splitlines()
    warned = [line for line in lines if "training went wrong" in line]
    assert warned == [f"nnbench: warning: mnist · {UNSCALED} · seed 0: {warning}"]
    assert lines[-2] == warned[0]  # at the end, just before the summary
    assert f"| {UNSCALED} " in printed.out and "ok (training warning)" in printed.out
    assert f"- Warning, {UNSCALED} (seed 0): training went wrong" in printed.out


@pytest.mark.slow
def test_a_model_edited_after_a_run_reruns_that_cell_and_only_it_on_resume(
    tmp_path: Path, data_dir: Path, mnist, capsys
):
    model = tmp_path / "mine.py"
    model.write_text(FLAKY)
    run_dir = tmp_path / "run"
    argv = ["run", "--model", f"{model}:Flaky,naive_bayes", "--dataset", "mnist", "--subset", "500"]
    assert run(data_dir, *argv, "--out", str(run_dir)) == 0
    before = {path.name: path.read_text() for path in run_dir.glob("*.json")}
    model.write_text(FLAKY + "\n# tuned\n")
    from nnbench.models import resolve_model

    resolve_model.cache_clear()  # as a new process would, import the edited file
    capsys.readouterr()
    assert run(data_dir, *argv, "--resume", str(run_dir)) == 0
    err = capsys.readouterr().err
    assert "nnbench: 2 cells, 1 of them done already; running 1 in this process" in err
    assert re.search(
        rf"running 1 cell again, as the model's code \(sha256:\w{{12}} → sha256:\w{{12}}\) "
        rf"changed since its result: mnist · {re.escape(str(model))}:Flaky · seed 0\n",
        err,
    )
    after = {path.name: path.read_text() for path in run_dir.glob("*.json")}
    [bayes] = [name for name in before if "naive_bayes" in name]
    assert after[bayes] == before[bayes]  # not run again
    [old] = [name for name in before if "Flaky" in name]
    [new] = [name for name in after if "Flaky" in name]
    assert new != old and (run_dir / "superseded" / old).read_text() == before[old]
    assert (
        json.loads(after[new])["model_origin"]["code"]
        != json.loads(before[old])["model_origin"]["code"]
    )
    assert main(["report", str(run_dir), "--format", "csv"]) == 0  # no clash left to pool


@pytest.mark.slow
def test_resume_reruns_the_failed_and_the_skipped_cells(
    tmp_path: Path, data_dir: Path, mnist, capsys, monkeypatch
):
    model = tmp_path / "mine.py"
    model.write_text(FLAKY)
    run_dir = tmp_path / "run"
    models = f"{model}:Flaky,{model}:Choosy,naive_bayes"
    argv = ["run", "--model", models, "--dataset", "mnist", "--subset", "500"]
    monkeypatch.setenv("FLAKY_FAILS", "1")
    monkeypatch.setenv("CHOOSY_REFUSES", "1")
    assert run(data_dir, *argv, "--out", str(run_dir)) == 1
    statuses = {name: result["status"] for name, result in by_model(run_dir).items()}
    assert statuses == {
        f"{model}:Flaky": "failed",
        f"{model}:Choosy": "skipped",
        "naive_bayes": "ok",
    }
    monkeypatch.delenv("FLAKY_FAILS")
    monkeypatch.delenv("CHOOSY_REFUSES")
    capsys.readouterr()
    assert run(data_dir, *argv, "--resume", str(run_dir)) == 0
    assert "3 cells, 1 of them done already; running 2" in capsys.readouterr().err
    results = read_run(run_dir)
    assert [result["status"] for result in results] == ["ok", "ok", "ok"]
    assert len(list(run_dir.glob("*.json"))) == 3 and not (run_dir / "superseded").exists()


@pytest.mark.slow
def test_a_run_ends_with_one_line_and_says_a_skip_reason_once(
    tmp_path: Path, data_dir: Path, mnist, capsys
):
    argv = ["all", "--subset", "300", "--epochs", "1", "--out", str(tmp_path / "run")]
    assert run(tmp_path / "data", *argv) == 0  # no candidate photos in this data folder
    lines = capsys.readouterr().err.splitlines()
    skips = [line for line in lines if "SKIPPED" in line]
    assert (
        len(skips) == 1 and "candidates · naive_bayes · seed 0: SKIPPED · No candidate" in skips[0]
    )
    assert "docs/data.md#candidate-photos" in skips[0]
    candidates = [r for r in read_run(tmp_path / "run") if r["dataset"] == "candidates"]
    assert [r["model"] for r in candidates] == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    # absent data is the reason for every model, the L1 logit included (not "costly")
    assert {r["skip_reason"] for r in candidates} == {skips[0].split("SKIPPED · ", 1)[1]}
    assert re.fullmatch(
        rf"nnbench: 8 cells: 4 ok, 0 failed, 4 skipped in \d+\.\d s; results and report in "
        rf"{re.escape(str(tmp_path / 'run'))}",
        lines[-1],
    )
    assert not any(re.search(r"\b1 cells\b|result files", line) for line in lines)


def test_data_fetch_of_a_folder_prints_its_classes_and_counts(tmp_path: Path, capsys):
    from nnbench.datasets.folder import write_folder
    from tests.conftest import tiny_images

    folder = write_folder(tmp_path / "shapes", tiny_images(channels=3))
    assert main(["data", "fetch", f"folder:{folder}", "--data-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        f"folder:{folder}: 3 classes; images 12 x 10 pixels, 3 channels (colour (RGB)); "
        f"stored in {folder / '.nnbench-cache' / 'native'}\n"
    )
    rows = [line.split("|")[1:4] for line in printed.splitlines() if line.startswith("| ")]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["class", "train", "test"],
        ["a", "10", "4"],
        ["b", "10", "4"],
        ["c", "10", "4"],
        ["all", "30", "12"],
    ]


def test_list_names_the_solvers_of_the_l1_logit(capsys):
    assert main(["list"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "lasso_logit" in line]
    assert "fista (the lecture suite's)" in line and "saga (the class default)" in line


@pytest.mark.slow
@pytest.mark.parametrize("verbose", [False, True])
def test_tensorflow_s_start_up_lines_stay_off_stderr_unless_asked(
    verbose: bool, tmp_path: Path, data_dir: Path, mnist
):
    import os
    import subprocess
    import sys

    argv = ["run", "--model", "dense_nn", "--dataset", "mnist", "--subset", "300", "--epochs", "1"]
    argv += ["--jobs", "2", "--data-dir", str(data_dir), "--out", str(tmp_path / "run")]
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-m", "nnbench", *argv, *(["--verbose"] if verbose else [])],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    native = r"^[IWEF]\d{4} |absl::InitializeLog|oneDNN custom operations|cuda drivers|cuInit"
    found = [line for line in done.stderr.splitlines() if re.search(native, line)]
    if verbose:  # the same run shows them, so the pattern finds what it hides
        assert found
    else:
        assert found == [], found
