"""Bad input from the command line: exit 2, a message that names the thing and the fix, no
traceback, and nothing half-written. Exit 1 stays for models that fail on good data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.cli import main
from nnbench.datasets.folder import write_folder
from nnbench.results import read_run
from tests.conftest import tiny_images

NOT_A_MODEL = """
class Half:
    def fit(self, x, y):
        return self
"""


def refused(argv: list[str], tmp_path: Path, capsys) -> str:
    """Run ``argv``; assert exit 2 with no traceback and no run folder; return stderr."""
    out = tmp_path / "run"
    assert main([*argv, "--data-dir", str(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("nnbench: error: ")
    assert not out.exists()
    return err


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("nowhere.py:Net", "'nowhere.py:Net': there is no file nowhere.py"),
        ("no_such_module:Net", "there is no module 'no_such_module'. Install the package"),
        ("sklearn.ensemble:Xyz", "sklearn.ensemble has no 'Xyz'. It defines: AdaBoost"),
        ("{file}:Half", "class Half has no predict method. A model is a subclass of"),
    ],
)
def test_a_model_reference_that_cannot_be_used(tmp_path, capsys, monkeypatch, model, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.py").write_text(NOT_A_MODEL)
    model = model.format(file=tmp_path / "mine.py")
    data = write_folder(tmp_path / "imgs", tiny_images(1))
    err = refused(["run", "--model", model, "--dataset", f"folder:{data}"], tmp_path, capsys)
    assert message in err


def test_a_param_the_model_does_not_take(tmp_path, capsys):
    data = write_folder(tmp_path / "imgs", tiny_images(1))
    argv = ["run", "--model", "naive_bayes", "--param", "max_iter=3"]
    err = refused([*argv, "--dataset", f"folder:{data}"], tmp_path, capsys)
    assert "Model 'naive_bayes' has no parameter 'max_iter'. Its parameters: variant." in err
    # one model takes it and another does not: the scoped form, ready to paste
    argv = ["run", "--model", "naive_bayes,lasso_logit", "--param", "max_iter=3"]
    err = refused([*argv, "--dataset", f"folder:{data}"], tmp_path, capsys)
    assert err.endswith(
        "--param max_iter=3 goes to every --model, and 'naive_bayes' has no parameter "
        "'max_iter'. To give it only to the models that take it, write it in brackets after "
        "them: --model naive_bayes,'lasso_logit[max_iter=3]'\n"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("n_estimators", "'n_estimators' is not KEY=VALUE, such as n_estimators=50"),
        ("units=[1,", "'[1,' is not a TOML value; quote strings"),
        ("when=1979-05-27", "the value of when is a date; parameters must be numbers, strings"),
        ("where={a=1}", "the value of where is a dict; parameters must be numbers, strings"),
    ],
)
def test_a_param_that_does_not_parse(value, message, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--model", "naive_bayes", "--dataset", "mnist", "--param", value])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        ("folder:{tmp}/absent", "folder:{tmp}/absent: there is no folder {tmp}/absent; check"),
        ("npz:{tmp}/absent.npz", "there is no file {tmp}/absent.npz; check the path."),
        ("fodler:{tmp}", "Unknown dataset family 'fodler'. Did you mean 'folder'?"),
    ],
)
def test_data_named_but_absent(tmp_path, capsys, dataset, message):
    dataset = dataset.format(tmp=tmp_path)
    err = refused(["run", "--model", "naive_bayes", "--dataset", dataset], tmp_path, capsys)
    assert message.format(tmp=tmp_path) in err


def unreadable(root: Path, how: str) -> str:
    """Break the folder dataset at ``root`` one way; return what the message must say."""
    if how == "corrupt image":
        (root / "train" / "b" / "00001.png").write_bytes(b"GIF89a garbage")
        return f"{root / 'train' / 'b' / '00001.png'} cannot be read as an image"
    if how == "mixed sizes":
        Image.fromarray(np.zeros((5, 5), np.uint8)).save(root / "test" / "c" / "00002.png")
        return f"{root / 'test' / 'c' / '00002.png'} is 5x5 (height x width), but most images"
    if how == "empty class folder":
        (root / "train" / "d").mkdir()
        return f"{root / 'train' / 'd'}: no PNG or JPEG images"
    if how == "test class not in train":
        (root / "test" / "d").mkdir()
        Image.fromarray(np.zeros((12, 10), np.uint8)).save(root / "test" / "d" / "1.png")
        return "class 'd' has test images but is not in train/ (a, b, c)"
    for path in (root / "train" / "b").iterdir():
        path.unlink()
    (root / "train" / "b").rmdir()
    for path in (root / "train" / "c").iterdir():
        path.unlink()
    (root / "train" / "c").rmdir()
    return "1 class folder(s) (a); a dataset needs at least two classes"


@pytest.mark.slow
@pytest.mark.parametrize(
    "how",
    ["corrupt image", "mixed sizes", "empty class folder", "test class not in train", "one class"],
)
def test_unreadable_folder_data_is_recorded_and_exits_2_while_other_data_runs(
    tmp_path, capsys, how
):
    good = write_folder(tmp_path / "good", tiny_images(1, seed=1))
    bad = write_folder(tmp_path / "bad", tiny_images(1))
    message = unreadable(bad, how)
    assert main(["data", "fetch", f"folder:{bad}", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    datasets = f"folder:{bad},folder:{good}"
    argv = ["run", "--model", "naive_bayes", "--dataset", datasets, "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    results = read_run(tmp_path / "r")
    assert [(r["status"], r.get("error_kind")) for r in results] == [
        ("failed", "data"),
        ("ok", None),
    ]
    assert message in results[0]["error"]
    assert not list(bad.glob(".nnbench-cache/*/key.json"))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"y_train": np.arange(30) % 3 + 0.5}, "y_train are float64, not integers"),
        ({"y_test": np.full(12, -1)}, "y_test range from -1 to -1; they must be 0 or more"),
        ({"x_test": np.zeros((12, 12, 10), np.int16)}, "x_test is int16, not uint8. Convert"),
    ],
)
def test_unreadable_npz_data_exits_2(tmp_path, capsys, arrays, message):
    data = tiny_images(1)
    defaults = {"x_train": data.x_train, "y_train": data.y_train}
    defaults.update(x_test=data.x_test, y_test=data.y_test)
    np.savez(tmp_path / "d.npz", **{**defaults, **arrays})
    argv = ["run", "--model", "naive_bayes", "--dataset", f"npz:{tmp_path / 'd.npz'}"]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    captured = capsys.readouterr()
    assert message in captured.out and "Traceback" not in captured.err
