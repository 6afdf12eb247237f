"""Hypothesis fuzzing of the command line's numeric flags: any text is either refused by the
parser (exit 2, with the flag named) or becomes a value within the flag's documented range."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnbench.cli import build_parser

PARSER = build_parser()
RUN = ["run", "--model", "naive_bayes", "--dataset", "mnist"]


def count(low: int, high: int = 2**31 - 1) -> Callable[[Any], bool]:
    return lambda value: type(value) is int and low <= value <= high


def seed(value: Any) -> bool:
    return type(value) is int and 0 <= value < 2**32


#: flag -> (destination, whether a parsed value is within the documented range)
FLAGS = {
    "--seed": ("seed", seed),
    "--seeds": ("seeds", lambda v: isinstance(v, list) and v and all(map(seed, v))),
    "--repeats": ("repeats", count(1, 1000)),
    "--retries": ("retries", count(0, 10)),
    "--epochs": ("epochs", count(1)),
    "--subset": ("subset", count(1)),
    "--image-size": ("image_size", lambda v: all(1 <= side <= 2048 for side in v)),
    "--target": ("target", lambda v: all(math.isfinite(t) and 0 <= t <= 1 for t in v)),
}

NUMBERS = st.integers(-(2**70), 2**70).map(str) | st.floats().map(str)
TEXT = (
    NUMBERS
    | st.text(max_size=12)
    | st.lists(NUMBERS | st.just(""), min_size=1, max_size=4).map(",".join)
    | st.tuples(NUMBERS, st.sampled_from("xX,"), NUMBERS).map("".join)
)


@pytest.mark.slow
@pytest.mark.parametrize("flag", FLAGS)
@given(text=TEXT)
def test_a_flag_value_is_refused_or_within_its_range(flag, text, capsys):
    destination, allowed = FLAGS[flag]
    try:
        args = PARSER.parse_args([*RUN, f"{flag}={text}"])
    except SystemExit as exc:
        assert exc.code == 2
        assert f"argument {flag}" in capsys.readouterr().err
        return
    assert allowed(getattr(args, destination)), f"{flag}={text!r} gave {args}"
