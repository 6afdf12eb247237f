"""Your own model and your own data beside the baselines, from the command line, end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnbench.cli import main
from nnbench.datasets import ImageData
from nnbench.datasets.folder import write_folder
from nnbench.files import sha256_file
from nnbench.results import read_run
from tests.conftest import REPO, tiny_images, write_idx_folder

EXAMPLES = REPO / "examples"


def run(tmp_path: Path, data_dir: Path, *argv: str, out: str = "run") -> tuple[int, dict]:
    """``nnbench ARGV --out tmp/OUT``: the exit status and the results by model."""
    status = main([*argv, "--data-dir", str(data_dir), "--out", str(tmp_path / out)])
    results = {r["model"]: r for r in read_run(tmp_path / out)} if status in (0, 1) else {}
    return status, results


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tiny_cnn", "NearestMean"])
def test_an_example_model_runs_beside_naive_bayes_and_is_tabled(
    name, tmp_path: Path, data_dir: Path, mnist, capsys, monkeypatch
):
    monkeypatch.chdir(REPO)  # the example's path as the README writes it
    model = f"examples/my_models.py:{name}"
    argv = ["run", "--model", f"{model},naive_bayes", "--dataset", "mnist"]
    status, results = run(tmp_path, data_dir, *argv, "--subset", "2000", "--epochs", "1")
    printed = capsys.readouterr().out
    assert status == 0
    assert sorted(results) == sorted([model, "naive_bayes"])
    mine = results[model]
    assert mine["status"] == "ok" and mine["metrics"]["test"]["accuracy"] > 0.6
    assert mine["model_origin"]["kind"] == "file"
    assert mine["model_origin"]["sha256"] == sha256_file(EXAMPLES / "my_models.py")
    comparison = printed.split("## Metrics beyond accuracy")[0]
    rows = [
        line for line in comparison.splitlines() if line.startswith(("| naive_bayes", f"| {model}"))
    ]
    assert len(rows) == 2  # side by side in the comparison table
    if name == "tiny_cnn":
        assert mine["params"] == {
            "filters": 16,
            "dense_units": 64,
            "epochs": 1,
            "batch_size": 100,
            "learning_rate": 0.001,
            "steps_per_execution": 100,
            "optimizer": "adam",
            "loss": "cross_entropy",
            "precision": "float32",
            "jit_compile": "auto",
        }
        assert (
            len(mine["history"]) == 1 and mine["n_params"] == 16 * 10 + 13 * 13 * 16 * 64 + 64 + 650
        )


@pytest.mark.slow
def test_a_scikit_learn_class_with_a_param_from_the_command_line(
    tmp_path: Path, data_dir: Path, mnist
):
    model = "sklearn.ensemble:RandomForestClassifier"
    argv = ["run", "--model", model, "--param", "n_estimators=50", "--dataset", "mnist"]
    status, results = run(tmp_path, data_dir, *argv, "--subset", "5000")
    assert status == 0
    forest = results[model]
    assert forest["params"]["n_estimators"] == 50 and "random_state" not in forest["params"]
    assert forest["metrics"]["test"]["accuracy"] > 0.9
    assert forest["model_origin"]["adapter"] == "sklearn" and forest["n_params"] > 50


def mnist_slice(mnist: ImageData) -> ImageData:
    """MNIST's first 5,000 training and 1,000 test images."""
    return ImageData(
        "slice",
        mnist.x_train[:5000],
        mnist.y_train[:5000],
        mnist.x_test[:1000],
        mnist.y_test[:1000],
        mnist.class_names,
    )


@pytest.mark.slow
def test_folder_npz_and_idx_of_the_same_images_give_exactly_the_same_accuracy(
    tmp_path: Path, mnist
):
    data = mnist_slice(mnist)
    write_folder(tmp_path / "png", data)
    np.savez(
        tmp_path / "slice.npz",
        x_train=data.x_train,
        y_train=data.y_train,
        x_test=data.x_test,
        y_test=data.y_test,
    )
    write_idx_folder(tmp_path / "idx", data)
    datasets = [
        f"folder:{tmp_path / 'png'}",
        f"npz:{tmp_path / 'slice.npz'}",
        f"idx:{tmp_path / 'idx'}",
    ]
    argv = ["run", "--model", "naive_bayes,lasso_logit", "--dataset", ",".join(datasets)]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 0
    accuracy = {
        (r["dataset"], r["model"]): r["metrics"]["test"]["accuracy"]
        for r in read_run(tmp_path / "run")
    }
    for model in ("naive_bayes", "lasso_logit"):
        found = {accuracy[dataset, model] for dataset in datasets}
        assert len(found) == 1, (model, found)
    assert (
        accuracy[datasets[0], "naive_bayes"] > 0.75 and accuracy[datasets[0], "lasso_logit"] > 0.8
    )


@pytest.mark.slow
def test_colour_folder_data_runs_the_dense_net_and_the_cnn(tmp_path: Path):
    root = write_folder(tmp_path / "colour", tiny_images(3, size=(16, 16)))
    argv = ["run", "--model", "dense_nn,cnn", "--dataset", f"folder:{root}", "--epochs", "1"]
    status, results = run(tmp_path, tmp_path, *argv)
    assert status == 0
    assert {r["status"] for r in results.values()} == {"ok"}
    assert results["cnn"]["data"]["input_shape"] == [16, 16, 3]
    assert results["dense_nn"]["n_params"] == (16 * 16 * 3 + 1) * 128 + 2 * 129 * 128 + 129 * 3


@pytest.mark.slow
def test_a_model_that_refuses_a_dataset_is_skipped_with_its_reason(tmp_path: Path, capsys):
    root = write_folder(tmp_path / "small", tiny_images(1, size=(8, 8)))
    argv = ["run", "--model", "cnn,naive_bayes", "--dataset", f"folder:{root}", "--epochs", "1"]
    status, results = run(tmp_path, tmp_path, *argv)
    printed = capsys.readouterr().out
    assert status == 0
    assert results["cnn"]["status"] == "skipped" and results["naive_bayes"]["status"] == "ok"
    assert results["cnn"]["skip_reason"] == (
        "kernel_size 3 with pool_size 2 over 2 conv/pool blocks shrinks 8x8 images to nothing: "
        "use kernel_size 2 or less, or larger images (--image-size)"
    )
    assert (
        "- Skipped cnn: kernel_size 3 with pool_size 2 over 2 conv/pool blocks shrinks" in printed
    )


@pytest.mark.slow
def test_image_size_resizes_any_dataset_and_the_result_records_it(tmp_path: Path, data_dir, mnist):
    argv = ["run", "--model", "naive_bayes", "--dataset", "mnist", "--subset", "300"]
    status, results = run(tmp_path, data_dir, *argv, "--image-size", "14x14")
    assert status == 0
    data = results["naive_bayes"]["data"]
    assert data["input_shape"] == [14, 14, 1]
    assert data["resized"] == {"to": [14, 14], "from": [[28, 28]]}
    assert results["naive_bayes"]["n_params"] == 10 * 14 * 14 + 10


@pytest.mark.slow
def test_the_example_suite_compares_three_own_models_with_the_four_baselines(
    tmp_path: Path, data_dir: Path, mnist, capsys, monkeypatch
):
    monkeypatch.chdir(REPO)
    argv = ["all", "--suite", "examples/suite.toml", "--subset", "600", "--epochs", "1"]
    status, results = run(tmp_path, data_dir, *argv)
    printed = capsys.readouterr().out
    assert status == 0
    assert list(results) == [
        "naive_bayes",
        "lasso_logit",
        "dense_nn",
        "cnn",
        "examples/my_models.py:tiny_cnn",  # relative to the suite's folder, shown from here
        "examples/my_models.py:NearestMean",
        "sklearn.ensemble:RandomForestClassifier",
    ]
    for model, result in results.items():
        assert result["status"] == "ok", result["error"]
        assert result["metrics"]["train"]["n"] == 600
        assert f"| {model} " in printed
    assert results["sklearn.ensemble:RandomForestClassifier"]["params"]["n_estimators"] == 100
