"""The gate's verdicts: the words they render as, which of them fail a check, and the exit
status a check's rows give ``nnbench check``."""

from __future__ import annotations

import pytest

from nnbench.cli.check import exit_status
from nnbench.gate.verdicts import Row, Verdict

#: every verdict, its word in the table and JUnit, and the exit status of a check it is in
EXPECTED = {
    Verdict.PASS: ("pass", 0),
    Verdict.IMPROVED: ("improved", 0),
    Verdict.INFO: ("info", 0),
    Verdict.CHANGED_ALLOWED: ("changed (allowed)", 0),
    Verdict.NOT_IN_BASELINE: ("not in baseline", 0),
    Verdict.REGRESSION: ("REGRESSION", 1),
    Verdict.MISSING: ("missing", 1),
    Verdict.FAILED: ("FAILED", 1),
    Verdict.NOT_COMPARABLE: ("not comparable", 1),
    Verdict.SLOWER: ("SLOWER", 1),
    Verdict.GREW: ("GREW", 1),
}


def row(verdict: Verdict, metric: str = "test accuracy") -> Row:
    return Row("mnist", "cnn", metric, "0.9000 (n=1)", "0.8000", "-0.1000", "≥ 0.8950", verdict)


def test_every_verdict_is_listed():
    assert set(EXPECTED) == set(Verdict)


@pytest.mark.parametrize("verdict", list(Verdict), ids=lambda verdict: verdict.name)
def test_a_verdict_renders_as_its_word_and_sets_the_exit_status(verdict):
    word, status = EXPECTED[verdict]
    assert (str(verdict), f"{verdict}", verdict == word) == (word, word, True)
    assert (verdict.failed, row(verdict).failed) == (status == 1, status == 1)
    assert exit_status([row(Verdict.PASS, "fit time"), row(verdict)]) == status
    assert row(verdict).sentence() == (
        f"mnist · cnn test accuracy: {word}; baseline 0.9000 (n=1), now 0.8000, delta -0.1000, "
        "allowed ≥ 0.8950."
    )


def test_a_check_without_rows_passes():
    assert exit_status([]) == 0
