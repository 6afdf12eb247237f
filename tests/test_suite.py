"""Suite files: the seed's protocol and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.errors import ConfigError, UnknownNameError
from nnbench.suite import DEFAULT_SUITE, load_suite


def test_seed_suite_holds_the_lectures_protocol():
    suite = load_suite(DEFAULT_SUITE)
    assert suite.name == "seed"
    assert list(suite.protocol) == ["mnist", "candidates", "faces-synthetic"]
    assert suite.default_datasets == ("mnist", "candidates")
    assert suite.models("mnist") == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    assert suite.params("mnist", "dense_nn") == {
        "hidden_units": [128, 128, 128],
        "epochs": 5,
        "batch_size": 100,
        "learning_rate": 0.001,
    }
    assert suite.params("mnist", "cnn")["filters"] == [64, 64]
    assert suite.params("nowhere", "cnn") == {}


def test_seed_suite_holds_the_face_protocol_and_shares_it_with_the_stand_in():
    suite = load_suite(DEFAULT_SUITE)
    assert suite.models("candidates") == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    assert suite.params("candidates", "dense_nn")["hidden_units"] == [128, 128]
    assert suite.params("candidates", "dense_nn")["output"] == "sigmoid"
    cnn = suite.params("candidates", "cnn")
    assert (cnn["filters"], cnn["dense_units"], cnn["output"]) == ([64, 64], [], "softmax")
    assert "skip" not in suite.params("candidates", "lasso_logit")
    assert "6.4 GB" in suite.skip_reason("candidates", "lasso_logit")
    assert suite.skip_reason("candidates", "cnn") is None
    for model in suite.models("candidates"):
        assert suite.params("faces-synthetic", model) == suite.params("candidates", model)
        assert suite.skip_reason("faces-synthetic", model) == suite.skip_reason("candidates", model)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[datasets.mnist]\nsame_as = "nowhere"\n', "same_as must be the only key"),
        (
            '[datasets.a]\nsame_as = "mnist"\n[datasets.mnist]\nsame_as = "a"\n',
            "itself a copy",
        ),
        ("[datasets.mnist.cnn]\nskip = 3\n", "datasets.mnist.cnn.skip must be a reason"),
        (
            '[suite]\nall = ["candidates"]\n[datasets.mnist.cnn]\n',
            r"suite.all names candidates, which the file has no tables for; list datasets of "
            r"the file \(mnist\)",
        ),
        (
            '[suite]\nall = [["mnist"]]\n[datasets.mnist.cnn]\n',
            r"suite.all\[0\] is \[\"mnist\"\]: should be text",
        ),
    ],
)
def test_same_as_skip_and_all_are_checked(tmp_path: Path, text: str, message: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_suite(path)


def test_unknown_model_in_suite(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("[datasets.mnist.cnnn]\nepochs = 1\n")
    with pytest.raises(UnknownNameError, match="Unknown model 'cnnn'. Did you mean 'cnn'"):
        load_suite(path)


def test_missing_empty_and_malformed_suites(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist. Pass --suite FILE"):
        load_suite(tmp_path / "absent.toml")
    (tmp_path / "empty.toml").write_text("[suite]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[datasets.NAME.MODEL\] tables"):
        load_suite(tmp_path / "empty.toml")
    (tmp_path / "bad.toml").write_text("[datasets.mnist\n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_suite(tmp_path / "bad.toml")


def test_suite_values_and_header_are_checked(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("[datasets.mnist.lasso_logit]\nC = 1979-05-27\n")
    with pytest.raises(ConfigError, match=r"s.toml: datasets.mnist.lasso_logit.C is a date;"):
        load_suite(path)
    path.write_text('suite = "x"\n[datasets.mnist.cnn]\nepochs = 1\n')
    with pytest.raises(ConfigError, match=r's.toml: suite is "x": should be a table'):
        load_suite(path)
    path.write_text("[datasets.mnits.cnn]\nepochs = 1\n")
    with pytest.raises(UnknownNameError, match=rf"^Suite file {path}: Unknown dataset 'mnits'"):
        load_suite(path)
