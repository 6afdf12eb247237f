"""Hypothesis fuzzing of model parameters from suite files and ``--param``: random TOML values
for every parameter the built-in models declare. A value is accepted exactly when it is what
the parameter allows (checked here against an oracle written independently of the schema),
and is then used as written; anything else is a ConfigError naming the table or flag."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from nnbench.cli import build_parser
from nnbench.cli.run import params_from
from nnbench.errors import NNBenchError
from nnbench.options import MAX_COUNT
from nnbench.plan import build_cells, make_model
from nnbench.suite import DEFAULT_SUITE, GRID, SKIP, TIMEOUT, VALIDATION, VARIANTS, load_suite


def count(value: Any) -> bool:
    return type(value) is int and 1 <= value <= MAX_COUNT


def positive(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value) and value > 0


def sizes(value: Any) -> bool:
    return isinstance(value, list) and all(map(count, value))


#: model -> parameter -> whether a value is allowed (the oracle)
ALLOWED = {
    "naive_bayes": {"variant": lambda v: v in ("multinomial", "bernoulli", "gaussian")},
    "lasso_logit": {"C": positive, "tol": positive, "max_iter": count},
    "dense_nn": {
        "hidden_units": sizes,
        "output": lambda v: v in ("softmax", "sigmoid"),
        "epochs": count,
        "batch_size": count,
        "learning_rate": positive,
        "steps_per_execution": count,
    },
    "cnn": {
        "filters": sizes,
        "kernel_size": count,
        "pool_size": count,
        "dense_units": sizes,
        "output": lambda v: v in ("softmax", "sigmoid"),
        "epochs": count,
        "batch_size": count,
        "learning_rate": positive,
        "steps_per_execution": count,
    },
}
CASES = [(model, name) for model, names in ALLOWED.items() for name in names]

SCALARS = (
    st.integers(-(2**63), 2**63 - 1)
    | st.integers(-3, 300)
    | st.floats()
    | st.booleans()
    | st.text(max_size=10)
    | st.sampled_from(["multinomial", "sigmoid", "softmax", "gaussian"])
    | st.dates()
)
TOML_VALUES = SCALARS | st.lists(SCALARS | st.lists(SCALARS, max_size=2), max_size=4)
PARSER = build_parser()


def planned(model: str, suite_text: str | None = None, flags: list[str] = ()) -> dict[str, Any]:
    """The parameters of the one cell of ``model`` on MNIST, from a suite and ``--param``s."""
    argv = ["run", "--model", model, "--dataset", "mnist", *flags]
    args = PARSER.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        if suite_text is not None:
            path.write_text(suite_text, encoding="utf-8")
        suite = load_suite(path if suite_text is not None else DEFAULT_SUITE)
        [cell] = build_cells(suite, args.dataset, args.model, params=params_from(args.param))
    return make_model(cell).get_params()


@pytest.mark.parametrize(("model", "name"), CASES)
@given(value=TOML_VALUES)
def test_a_suite_value_is_accepted_exactly_when_allowed(model, name, value):
    text = tomli_w.dumps({"datasets": {"mnist": {model: {name: value}}}})
    try:
        params = planned(model, text)
    except NNBenchError as exc:
        assert not ALLOWED[model][name](value), f"{value!r} refused: {exc}"
        assert "table [datasets.mnist." in str(exc) or " is a date;" in str(exc)
        return
    assert ALLOWED[model][name](value), f"{value!r} accepted"
    assert params[name] == value and type(params[name]) is type(value)  # used as written


@pytest.mark.slow
@pytest.mark.parametrize(("model", "name"), CASES[::3])
@given(text=st.text(max_size=12) | TOML_VALUES.map(lambda v: tomli_w.dumps({"v": v})[4:-1]))
def test_a_param_flag_is_accepted_exactly_when_allowed(model, name, text, capsys):
    try:
        params = planned(model, flags=["--param", f"{name}={text}"])
    except SystemExit as exc:  # the text is not a TOML value a result can hold
        assert exc.code == 2 and "argument --param" in capsys.readouterr().err
        return
    except NNBenchError as exc:
        assert str(exc).startswith("--param: ")
        return
    assert ALLOWED[model][name](params[name]), f"{text!r} accepted as {params[name]!r}"


@given(name=st.text(min_size=1, max_size=12).filter(lambda n: n.isidentifier()))
def test_an_unknown_parameter_is_refused_with_the_known_ones(name):
    # skip = "reason" skips the cell; grid and variants are tables of parameters; validation
    # and timeout are settings of the cell, not parameters
    if name in ALLOWED["naive_bayes"] or name in (SKIP, GRID, VARIANTS, VALIDATION, TIMEOUT):
        return
    text = tomli_w.dumps({"datasets": {"mnist": {"naive_bayes": {name: 1}}}})
    with pytest.raises(NNBenchError, match="Its parameters: variant."):
        planned("naive_bayes", text)


def test_dates_are_refused_by_name():
    text = tomli_w.dumps({"datasets": {"mnist": {"cnn": {"epochs": dt.date(2026, 1, 1)}}}})
    with pytest.raises(NNBenchError, match=r"datasets.mnist.cnn.epochs is a date; parameters"):
        planned("cnn", text)
