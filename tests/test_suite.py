"""Suite files: the seed's protocol and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.errors import ConfigError, UnknownNameError
from nnbench.suite import DEFAULT_SUITE, load_suite


def test_seed_suite_holds_the_lectures_protocol():
    suite = load_suite(DEFAULT_SUITE)
    assert suite.name == "seed"
    assert suite.datasets() == ["mnist"]
    assert suite.models("mnist") == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    assert suite.params("mnist", "dense_nn") == {
        "hidden_units": [128, 128, 128],
        "epochs": 5,
        "batch_size": 100,
        "learning_rate": 0.001,
    }
    assert suite.params("mnist", "cnn")["filters"] == [64, 64]
    assert suite.params("nowhere", "cnn") == {}


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
    with pytest.raises(ConfigError, match=r"'suite' must be a table"):
        load_suite(path)
    path.write_text("[datasets.mnits.cnn]\nepochs = 1\n")
    with pytest.raises(UnknownNameError, match=rf"^Suite file {path}: Unknown dataset 'mnits'"):
        load_suite(path)
