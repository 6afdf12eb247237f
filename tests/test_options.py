"""The text parsers of flags: lists that keep a model's bracketed parameters whole, and the
scoped form ``REF[KEY=VALUE, ...]``."""

from __future__ import annotations

import pytest

from nnbench.options import (
    model_names,
    names,
    parameter_label,
    scoped_model,
    scoped_text,
    split_outside_brackets,
)


@pytest.mark.parametrize(
    "text, parts",
    [
        ("a,b", ["a", "b"]),
        ("knn[k=3, w=[1, 2]],nb", ["knn[k=3, w=[1, 2]]", "nb"]),
        ('m[s="a,b"],n', ['m[s="a,b"]', "n"]),
        ("m[s='x]y'],n", ["m[s='x]y']", "n"]),
        ("single", ["single"]),
    ],
)
def test_lists_split_on_commas_outside_brackets_and_quotes(text, parts):
    assert split_outside_brackets(text) == parts


@pytest.mark.parametrize(
    "text, message",
    [
        ("m[k=3", "has an unclosed \\["),
        ("m]k", "has a '\\]' without its '\\['"),
        ('m["x', 'unclosed "'),
    ],
)
def test_unbalanced_brackets_and_quotes_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        split_outside_brackets(text)


def test_names_keeps_empty_items_an_error():
    assert names(" a , b[x=1, y=2] ") == ["a", "b[x=1, y=2]"]
    with pytest.raises(ValueError, match="has an empty item"):
        names("a,,b")


@pytest.mark.parametrize(
    "text, name, params",
    [
        ("naive_bayes", "naive_bayes", {}),
        (
            "sklearn.neighbors:KNeighborsClassifier[n_neighbors=3]",
            "sklearn.neighbors:KNeighborsClassifier",
            {"n_neighbors": 3},
        ),
        (
            "dense_nn[hidden_units=[64, 64], output=sigmoid, learning_rate=0.01]",
            "dense_nn",
            {"hidden_units": [64, 64], "output": "sigmoid", "learning_rate": 0.01},
        ),
        ('m.py:f [label="a, b"]', "m.py:f", {"label": "a, b"}),
    ],
)
def test_a_scoped_model_gives_its_name_and_its_own_parameters(text, name, params):
    assert scoped_model(text) == (name, params)


@pytest.mark.parametrize(
    "text, message",
    [
        ("knn[]", "has an empty parameter"),
        ("knn[k=1,]", "has an empty parameter"),
        ("knn[k=1, k=2]", "gives k twice"),
        ("knn[k]", "is not KEY=VALUE"),
        ("[k=1]", "is not MODEL\\[KEY=VALUE"),
        ("knn[k=1]x", "is not MODEL\\[KEY=VALUE"),
        ("knn[k=a b]", "is not a TOML value"),
    ],
)
def test_a_malformed_scoped_model_says_what_was_expected(text, message):
    with pytest.raises(ValueError, match=message):
        scoped_model(text)
    with pytest.raises(ValueError, match=message):
        model_names(f"naive_bayes,{text}")


def test_labels_and_scoped_text_write_values_as_toml_literals_that_read_back():
    params = {"n_neighbors": 3, "weights": "distance", "sizes": [64, 64], "flag": True}
    assert parameter_label(params) == (
        'n_neighbors=3, weights="distance", sizes=[64, 64], flag=true'
    )
    text = scoped_text("knn", params)
    assert text == 'knn[n_neighbors=3, weights="distance", sizes=[64, 64], flag=true]'
    assert scoped_model(text) == ("knn", params)
    assert scoped_text("knn", {}) == "knn"
