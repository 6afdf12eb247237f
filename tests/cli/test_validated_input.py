"""Regression tests of issue 12's defects: each input is refused where it enters, with exit 2
and a message that names the file, the field or flag, the value and what is allowed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnbench.cli import main
from nnbench.datasets.folder import write_folder
from nnbench.models.naive_bayes import NaiveBayes
from nnbench.results import read_run
from tests.conftest import tiny_images


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small folder dataset: 10x12 grey images of two classes."""
    return "folder:" + str(write_folder(tmp_path_factory.mktemp("data") / "imgs", tiny_images(1)))


def bad_input(argv: list[str], capsys) -> str:
    """Run ``argv``; assert exit 2 and no traceback; return stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refuses a flag's value itself
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--seeds", "99999999999999999999"],
            "argument --seeds: must be from 0 to 4294967295, got 99999999999999999999",
        ),
        (["--seed", "9223372036854775808"], "argument --seed: must be from 0 to 4294967295"),
        (["--seed", "4294967296"], "argument --seed: must be from 0 to 4294967295"),
        (["--seeds", "1,,2"], "argument --seeds: '1,,2' has an empty item"),
        (["--seeds", "1,"], "argument --seeds: '1,' has an empty item"),
        (["--epochs", "0"], "argument --epochs: must be from 1 to 2147483647, got 0"),
        (["--repeats", "1001"], "argument --repeats: must be from 1 to 1000, got 1001"),
        (["--image-size", "99999x28"], "each side of 99999x28 must be from 1 to 2048 pixels"),
    ],
)
def test_numeric_flags_are_bounded(flags, message, images, tmp_path, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", images, "--out", str(tmp_path / "r")]
    assert message in bad_input([*argv, *flags], capsys)
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_the_largest_seed_runs(images, tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["run", "--model", "naive_bayes", "--dataset", images, "--seed", "4294967295"]
    assert main([*argv, "--out", str(out)]) == 0
    [result] = [json.loads(path.read_text()) for path in out.glob("*__seed*.json")]
    assert result["seed"] == 4294967295 and result["status"] == "ok"


SUITE_CASES = [
    ("dense_nn", 'epochs = "five"', 'epochs is "five": should be a whole number'),
    ("dense_nn", "epochs = true", "epochs is true: should be a whole number"),
    ("dense_nn", "batch_size = 0", "batch_size is 0: should be greater than 0"),
    ("dense_nn", "learning_rate = -1", "learning_rate is -1: should be greater than 0"),
    ("dense_nn", "learning_rate = inf", "learning_rate is Infinity: should be a finite number"),
    ("dense_nn", "hidden_units = [128, -4]", "hidden_units[1] is -4: should be greater than 0"),
    (
        "dense_nn",
        'output = "tanh"',
        "output is \"tanh\": should be 'softmax', 'sigmoid' or 'linear'",
    ),
    ("cnn", "filters = [0]", "filters[0] is 0: should be greater than 0"),
    ("cnn", "kernel_size = 2.5", "kernel_size is 2.5: should be a whole number"),
    ("naive_bayes", 'variant = "poisson"', "variant is \"poisson\": should be 'multinomial'"),
    ("lasso_logit", "max_iter = 0", "max_iter is 0: should be greater than 0"),
    (
        "lasso_logit",
        "alpha = 1",
        "Model 'lasso_logit' has no parameter 'alpha'. Its parameters: C, tol, max_iter",
    ),
]


@pytest.mark.parametrize(("model", "line", "message"), SUITE_CASES)
def test_a_suite_value_is_checked_against_the_models_declaration(
    model, line, message, images, tmp_path, capsys
):
    suite = tmp_path / "s.toml"
    dataset = images.replace("folder:", "")
    suite.write_text(f'[datasets."folder:{dataset}".{model}]\n{line}\n')
    argv = ["run", "--model", model, "--dataset", images, "--suite", str(suite)]
    err = bad_input([*argv, "--out", str(tmp_path / "r")], capsys)
    assert f"Suite file {suite}, table [datasets.folder:{dataset}.{model}]: {message}" in err
    assert not (tmp_path / "r").exists()


def test_a_param_flag_is_checked_against_the_models_declaration(images, tmp_path, capsys):
    argv = ["run", "--model", "cnn", "--dataset", images, "--param", "filters=[0]"]
    err = bad_input([*argv, "--out", str(tmp_path / "r")], capsys)
    assert "nnbench: error: --param: filters[0] is 0: should be greater than 0." in err


@pytest.mark.slow
def test_a_chosen_convolution_larger_than_the_images_fails_its_cell_as_bad_input(
    images, tmp_path, capsys
):
    suite = tmp_path / "s.toml"
    suite.write_text(f'[datasets."{images}".cnn]\nkernel_size = 9\n')
    argv = ["run", "--model", "cnn,naive_bayes", "--dataset", images, "--suite", str(suite)]
    err = bad_input([*argv, "--out", str(tmp_path / "r")], capsys)
    message = (
        "ConfigError: kernel_size 9 with pool_size 2 over 2 conv/pool blocks shrinks 12x10 "
        "images to nothing: use kernel_size 3 or less, or larger images (--image-size)."
    )
    assert err.rstrip().endswith(f"(unreadable data or a bad parameter):\n  {message}")
    assert "cnn · seed 0: fitting" not in err  # refused before it trained
    results = {r["model"]: r for r in read_run(tmp_path / "r")}
    assert (results["cnn"]["status"], results["cnn"]["error_kind"]) == ("failed", "config")
    assert results["cnn"]["error"] == message
    assert results["naive_bayes"]["status"] == "ok"  # the other cells still run


def test_the_lectures_cnn_on_images_too_small_for_it_is_skipped(images, tmp_path, capsys):
    # the lecture's suite sets the CNN's layers to their defaults: not a choice of the user's
    argv = ["run", "--model", "cnn", "--dataset", "mnist", "--subset", "20", "--image-size"]
    assert main([*argv, "8x8", "--out", str(tmp_path / "r")]) == 0
    [result] = read_run(tmp_path / "r")
    assert result["status"] == "skipped"
    assert result["skip_reason"].startswith("kernel_size 3 with pool_size 2 over 2 conv/pool")


class ScoresInPercent(NaiveBayes):
    """A model whose history breaks the result file's schema: accuracy 95, not 0.95."""

    def fit(self, x, y, **kwargs):
        super().fit(x, y, **kwargs)
        self.history_ = [{"epoch": 1, "train_accuracy": 95.0}]
        self.info_ = {"converged": np.True_, "n_iter": np.int64(3)}  # NumPy values are fine
        return self


@pytest.mark.slow
def test_a_result_that_breaks_the_schema_fails_its_cell_not_the_run(images, tmp_path, capsys):
    model = "tests.cli.test_validated_input:ScoresInPercent"
    argv = ["run", "--model", f"{model},naive_bayes", "--dataset", images]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 1  # the model failed, not the input
    results = {r["model"]: r for r in read_run(tmp_path / "r")}
    assert (results[model]["status"], results[model]["error_kind"]) == ("failed", "model")
    assert results[model]["error"] == (
        f"ResultFileError: the result of {images} · {model} · seed 0: "
        "history[0].train_accuracy is 95.0: should be less than or equal to 1."
    )
    assert results["naive_bayes"]["status"] == "ok"


def test_an_unknown_suite_header_key_is_refused_with_did_you_mean(images, tmp_path, capsys):
    suite = tmp_path / "s.toml"
    suite.write_text('[suite]\nnmae = "mine"\n[datasets.mnist.naive_bayes]\n')
    err = bad_input(["all", "--suite", str(suite), "--out", str(tmp_path / "r")], capsys)
    assert (
        f"Suite file {suite}: suite.nmae is not a known key. Did you mean 'name'? Known keys: "
        "name, description, all." in err
    )


def test_an_unknown_top_level_table_is_refused(tmp_path, capsys):
    suite = tmp_path / "s.toml"
    suite.write_text("[datasets.mnist.naive_bayes]\n[dataset.mnist.cnn]\n")
    err = bad_input(["all", "--suite", str(suite), "--out", str(tmp_path / "r")], capsys)
    assert "dataset is not a known key. Did you mean 'datasets'?" in err


@pytest.fixture(scope="module")
def good_run(images, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "good"
    assert main(["run", "--model", "naive_bayes", "--dataset", images, "--out", str(out)]) == 0
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timing.fit_s", "abc", 'timing.fit_s is "abc": should be a number'),
        ("timing.fit_s", -1, "timing.fit_s is -1: should be greater than or equal to 0"),
        ("n_params", "many", 'n_params is "many": should be a whole number'),
        ("seed", 2**66, "seed is 73786976294838206464: should be less than or equal to 4294967295"),
        ("metrics.test.accuracy", 1.5, "metrics.test.accuracy is 1.5: should be less than"),
        ("data.n_train", 2**64, "data.n_train is 18446744073709551616: should be less than"),
    ],
)
@pytest.mark.parametrize("verb", ["report", "baseline"])
def test_a_bad_result_field_is_named_by_every_reader(
    verb, field, value, message, good_run, tmp_path, capsys
):
    run = tmp_path / "run"
    shutil.copytree(good_run, run)
    [path] = run.glob("*__seed*.json")
    document = json.loads(path.read_text())
    *parents, last = field.split(".")
    target = document
    for key in parents:
        target = target[key]
    target[last] = value
    path.write_text(json.dumps(document))
    argv = [verb, str(run), *(["--out", str(tmp_path / "b.json")] if verb == "baseline" else [])]
    assert f"nnbench: error: {path}: {message}" in bad_input(argv, capsys)


@pytest.mark.slow
def test_unrelated_json_files_do_not_make_a_folder_a_run(images, tmp_path, capsys):
    out = tmp_path / "project"
    out.mkdir()
    (out / "package.json").write_text('{"name": "x"}\n')
    assert main(["run", "--model", "naive_bayes", "--dataset", images, "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    assert len(list(out.glob("*__seed0__*.json"))) == 1
    again = bad_input(
        ["run", "--model", "naive_bayes", "--dataset", images, "--out", str(out)], capsys
    )
    assert (
        "already holds result files, and runs must not mix. Choose another folder with --out"
        in again
    )


def without_write_permission() -> list[str]:
    """A command prefix under which a folder's permission bits hold, even for root."""
    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.slow
def test_an_unwritable_run_folder_is_refused_before_anything_trains(images, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    argv = ["-m", "nnbench", "run", "--model", "naive_bayes", "--dataset", images]
    done = subprocess.run(
        [*without_write_permission(), sys.executable, *argv, "--out", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"nnbench: error: Cannot write results into the run folder {folder}: Permission denied. "
        "Make it writable, or choose another folder with --out."
    )
    assert "fitting" not in done.stderr
    assert list(folder.iterdir()) == []


def test_a_bad_value_in_a_grid_names_its_point(images, tmp_path, capsys):
    suite = tmp_path / "s.toml"
    suite.write_text(f'[datasets."{images}".lasso_logit.grid]\nC = [0.1, -1]\n')
    argv = ["run", "--model", "lasso_logit", "--dataset", images, "--suite", str(suite)]
    err = bad_input([*argv, "--dry-run"], capsys)
    table = images.replace("folder:", "")
    assert (
        f"Suite file {suite}, table [datasets.folder:{table}.lasso_logit], grid C=-1: C is -1: "
        "should be greater than 0." in err
    )


def test_resuming_a_folder_that_does_not_exist_is_refused(images, tmp_path, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", images]
    err = bad_input([*argv, "--resume", str(tmp_path / "nowhere")], capsys)
    assert f"There is no run folder {tmp_path / 'nowhere'} to resume; check the path." in err
    assert "argument --out: not allowed with argument --resume" in bad_input(
        [*argv, "--resume", str(tmp_path), "--out", str(tmp_path)], capsys
    )
