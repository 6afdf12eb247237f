"""Suite files: the lecture's protocol and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.errors import ConfigError, UnknownNameError
from nnbench.suite import DEFAULT_SUITE, load_suite
from tests.conftest import suite_params


def test_lecture_suite_holds_the_lectures_protocol():
    suite = load_suite(DEFAULT_SUITE)
    assert suite.name == "lecture"
    assert list(suite.protocol) == ["mnist", "candidates", "faces-synthetic"]
    assert suite.default_datasets == ("mnist", "candidates")
    assert suite.models("mnist") == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    assert suite_params(suite, "mnist", "dense_nn") == {
        "hidden_units": [128, 128, 128],
        "epochs": 5,
        "batch_size": 100,
        "learning_rate": 0.001,
    }
    assert suite_params(suite, "mnist", "cnn")["filters"] == [64, 64]
    assert suite_params(suite, "nowhere", "cnn") == {}


def test_lecture_suite_holds_the_face_protocol_and_shares_it_with_the_stand_in():
    suite = load_suite(DEFAULT_SUITE)
    assert suite.models("candidates") == ["naive_bayes", "lasso_logit", "dense_nn", "cnn"]
    assert suite_params(suite, "candidates", "dense_nn")["hidden_units"] == [128, 128]
    assert suite_params(suite, "candidates", "dense_nn")["output"] == "sigmoid"
    cnn = suite_params(suite, "candidates", "cnn")
    assert (cnn["filters"], cnn["dense_units"], cnn["output"]) == ([64, 64], [], "softmax")
    assert "skip" not in suite_params(suite, "candidates", "lasso_logit")
    assert "6.4 GB" in suite.skip_reason("candidates", "lasso_logit")
    assert suite.skip_reason("candidates", "cnn") is None
    for model in suite.models("candidates"):
        assert suite_params(suite, "faces-synthetic", model) == suite_params(
            suite, "candidates", model
        )
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


GRID_SUITE = """
[datasets.mnist.lasso_logit]
max_iter = 30
[datasets.mnist.lasso_logit.grid]
C = [0.05, 0.1]
tol = [0.001, 0.01]

[datasets.mnist.dense_nn]
epochs = 2
[datasets.mnist.dense_nn.variants.small]
hidden_units = [32]
[datasets.mnist.dense_nn.variants.deep]
hidden_units = [64, 64, 64]
epochs = 3
[datasets.mnist.dense_nn.grid]
hidden_units = [[16], [8, 8]]
"""


def test_a_grid_and_variants_expand_to_one_configuration_each(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text(GRID_SUITE)
    suite = load_suite(path)
    lasso = suite.configs("mnist", "lasso_logit")
    assert [(config.label, config.params) for config in lasso] == [
        ("C=0.05, tol=0.001", {"max_iter": 30, "C": 0.05, "tol": 0.001}),
        ("C=0.05, tol=0.01", {"max_iter": 30, "C": 0.05, "tol": 0.01}),
        ("C=0.1, tol=0.001", {"max_iter": 30, "C": 0.1, "tol": 0.001}),
        ("C=0.1, tol=0.01", {"max_iter": 30, "C": 0.1, "tol": 0.01}),
    ]
    assert lasso[1].where == (
        f"Suite file {path}, table [datasets.mnist.lasso_logit], grid C=0.05, tol=0.01"
    )
    dense = suite.configs("mnist", "dense_nn")
    assert [(config.label, config.params) for config in dense] == [
        ("small, hidden_units=[16]", {"epochs": 2, "hidden_units": [16]}),
        ("small, hidden_units=[8, 8]", {"epochs": 2, "hidden_units": [8, 8]}),
        ("deep, hidden_units=[16]", {"epochs": 3, "hidden_units": [16]}),
        ("deep, hidden_units=[8, 8]", {"epochs": 3, "hidden_units": [8, 8]}),
    ]
    assert dense[2].where.endswith(
        "table [datasets.mnist.dense_nn.variants.deep], grid hidden_units=[16]"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[datasets.mnist.cnn]\ngrid = 3\n", "datasets.mnist.cnn.grid must be a table of lists"),
        ("[datasets.mnist.cnn.grid]\n", "datasets.mnist.cnn.grid must be a table of lists"),
        (
            "[datasets.mnist.cnn.grid]\nepochs = 3\n",
            "datasets.mnist.cnn.grid.epochs must be a non-empty list",
        ),
        (
            "[datasets.mnist.cnn.grid]\nepochs = []\n",
            "datasets.mnist.cnn.grid.epochs must be a non-empty list",
        ),
        (
            "[datasets.mnist.cnn.variants]\nfast = 1\n",
            "datasets.mnist.cnn.variants.fast must be a table of parameters",
        ),
        ("[datasets.mnist.cnn.grid]\nwhen = [1979-05-27]\n", "datasets.mnist.cnn.when is a date"),
    ],
)
def test_a_bad_grid_or_variant_is_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"Suite file {path}: {message}"):
        load_suite(path)


def test_a_timeout_applies_to_every_configuration_of_its_table_and_is_not_a_parameter(
    tmp_path: Path,
):
    path = tmp_path / "s.toml"
    path.write_text(
        "[datasets.mnist.lasso_logit]\ntimeout = 90\nmax_iter = 5\n"
        "[datasets.mnist.lasso_logit.grid]\nC = [0.1, 0.2]\n"
        "[datasets.mnist.naive_bayes]\n"
    )
    suite = load_suite(path)
    lasso = suite.configs("mnist", "lasso_logit")
    assert [(config.params, config.timeout) for config in lasso] == [
        ({"max_iter": 5, "C": 0.1}, 90.0),
        ({"max_iter": 5, "C": 0.2}, 90.0),
    ]
    assert [config.timeout for config in suite.configs("mnist", "naive_bayes")] == [None]
    path.write_text("[datasets.mnist.naive_bayes]\ntimeout = -3\n")
    with pytest.raises(ConfigError, match="datasets.mnist.naive_bayes.timeout is -3: give the"):
        load_suite(path)
