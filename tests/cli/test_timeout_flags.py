"""``--timeout SECONDS`` and a suite's ``timeout``: the flag goes over the suite's, a bad value
is bad input (exit 2, naming the flag or the table), and ``--dry-run`` shows each cell's
limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnbench.cli import build_parser, main

SUITE = """
[datasets.mnist.naive_bayes]
timeout = 30
[datasets.mnist.lasso_logit]
max_iter = 5
"""


def planned(tmp_path: Path, data_dir: Path, capsys, *flags: str) -> dict[str, str]:
    """``nnbench all --dry-run`` of :data:`SUITE` with ``flags``: each model's time limit as
    the plan shows it."""
    suite = tmp_path / "s.toml"
    suite.write_text(SUITE)
    argv = ["all", "--suite", str(suite), "--data-dir", str(data_dir), "--dry-run", *flags]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    header = [part.strip() for part in lines[0].strip("|").split("|")]
    rows = [[part.strip() for part in line.strip("|").split("|")] for line in lines[2:]]
    return {row[2]: row[header.index("time limit")] for row in rows}


def test_the_dry_run_shows_the_suite_s_limit_and_the_flag_goes_over_it(
    tmp_path: Path, data_dir: Path, capsys
):
    assert planned(tmp_path, data_dir, capsys) == {"naive_bayes": "30 s", "lasso_logit": "none"}
    limits = planned(tmp_path, data_dir, capsys, "--timeout", "2.5")
    assert limits == {"naive_bayes": "2.5 s", "lasso_logit": "2.5 s"}


def test_a_plan_without_limits_shows_no_time_limit_column(tmp_path: Path, data_dir, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", "mnist", "--data-dir", str(data_dir)]
    assert main([*argv, "--dry-run"]) == 0
    assert "time limit" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "five", ""])
def test_a_bad_timeout_flag_is_refused_naming_the_flag(value: str, capsys):
    argv = ["run", "--model", "naive_bayes", "--dataset", "mnist", f"--timeout={value}"]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "argument --timeout: " in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", '"5"', "true", "nan", "inf", "[5]"])
def test_a_bad_suite_timeout_is_bad_input_naming_the_table(
    value: str, tmp_path: Path, data_dir: Path, capsys
):
    suite = tmp_path / "s.toml"
    suite.write_text(f"[datasets.mnist.naive_bayes]\ntimeout = {value}\n")
    argv = ["all", "--suite", str(suite), "--data-dir", str(data_dir), "--dry-run"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"Suite file {suite}: datasets.mnist.naive_bayes.timeout is " in err
    assert "give the seconds one cell of this model may run, a number above 0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "verb", [["all"], ["run", "--model", "cnn", "--dataset", "mnist"], ["study", "lecture"]]
)
def test_every_verb_that_takes_retries_takes_timeout(verb: list[str]):
    parser = build_parser()
    assert parser.parse_args([*verb, "--retries", "1", "--timeout", "0.5"]).timeout == 0.5
    assert parser.parse_args(verb).timeout is None
