"""``nnbench compare`` on real MNIST: a small CNN after 1 epoch against 5, and a run against
its own rerun; the JSON records agree with the result files; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy.stats import binomtest

from nnbench.cli import main
from nnbench.results import read_predictions, read_run

#: a small CNN, so that five epochs on 3,000 images take seconds
SMALL_CNN = "cnn[filters=[8],dense_units=[32]]"


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir: Path) -> dict[str, Path]:
    """The small CNN on 3,000 MNIST images: 1 epoch, 5 epochs, and 1 epoch again."""
    root = tmp_path_factory.mktemp("compare")
    folders = {}
    for name, epochs in (("one", 1), ("five", 5), ("one_again", 1)):
        folders[name] = root / name
        argv = ["run", "--model", SMALL_CNN, "--dataset", "mnist", "--subset", "3000"]
        argv += ["--epochs", str(epochs), "--out", str(folders[name]), "--data-dir", str(data_dir)]
        assert main(argv) == 0
    return folders


def records(capsys, *argv: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    status = main(["compare", *argv, "--json"])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_one_epoch_against_five_is_worse_and_fails_the_gate(runs, capsys):
    status, (record,) = records(capsys, str(runs["one"]), "--against", str(runs["five"]))
    assert status == 0  # without --fail-if-worse, a worse model is reported, not failed
    assert record["verdict"] == "worse" and record["p"] < 1e-6
    assert record["note"] == "epochs 5 → epochs 1"
    (one,), (five,) = read_run(runs["one"]), read_run(runs["five"])
    # diff is the difference of the two files' test accuracies, and (b - c) / n
    accuracies = one["metrics"]["test"]["accuracy"] - five["metrics"]["test"]["accuracy"]
    assert record["diff"] == pytest.approx(accuracies, abs=1e-12)
    assert (record["b"] - record["c"]) / record["n"] == pytest.approx(record["diff"], abs=1e-12)
    # b counts the images only the model (1 epoch) got right, c those only the reference got right
    mine, theirs = read_predictions(runs["one"], one), read_predictions(runs["five"], five)
    assert record["b"] == int((mine.correct & ~theirs.correct).sum())
    assert record["c"] == int((theirs.correct & ~mine.correct).sum())
    smaller = min(record["b"], record["c"])
    assert record["p"] == pytest.approx(binomtest(smaller, record["b"] + record["c"]).pvalue)
    argv = ["compare", str(runs["one"]), "--against", str(runs["five"]), "--fail-if-worse"]
    assert main(argv) == 1


def test_a_rerun_of_the_same_cell_makes_no_detectable_difference(runs, capsys):
    status, (record,) = records(
        capsys, str(runs["one_again"]), "--against", str(runs["one"]), "--fail-if-worse"
    )
    assert status == 0
    assert (record["b"], record["c"], record["verdict"]) == (0, 0, "no detectable difference")


def test_markdown_names_the_pair_and_explains_the_columns(runs, capsys):
    assert main(["compare", str(runs["five"]), "--against", str(runs["one"])]) == 0
    out = capsys.readouterr().out
    assert "| better " in out and "epochs 1 → epochs 5" in out
    assert "p is McNemar's exact test" in out


def test_bad_input_exits_2_with_a_message(runs, capsys, tmp_path):
    assert main(["compare", str(runs["one"]), "--reference", "cn"]) == 2
    assert (
        "nnbench: error: --reference: Unknown model 'cn'. Available: cnn [filters=[8], "
        "dense_units=[32]]." in capsys.readouterr().err
    )
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in runs["one"].glob("mnist__*"):
        (copy / path.name).write_bytes(path.read_bytes())
    (sidecar,) = copy.glob("*.predictions.npz")
    sidecar.write_bytes(sidecar.read_bytes()[:-20] + bytes(20))
    assert main(["compare", str(copy), "--against", str(runs["five"])]) == 2
    err = capsys.readouterr().err
    assert f"{sidecar}: the predictions file is damaged" in err and "Traceback" not in err
