"""The gate's rendering: the check as Markdown, its tally, and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from nnbench.gate.render import junit_xml, render_check, tally
from nnbench.gate.rows import check
from nnbench.gate.verdicts import Tolerances
from tests.gate.test_baseline import seed_result
from tests.gate.test_rows import SINGLE
from tests.test_results import table_of, tables_of


def test_the_report_names_rule_environment_changes_and_tally():
    now = seed_result(0, 0.5, 0.8)
    now["env"] = {**now["env"], "python": "3.12.1"}
    rows = check(SINGLE, tables_of(now))
    text = render_check(rows, SINGLE, "b.json", table_of(now), Tolerances())
    assert "Changed since the baseline: python 3.11.7 → 3.12.1." in text
    assert "test accuracy fails below the baseline's mean − max(0.005, 3·sd)" in text
    assert "| naive_bayes | test accuracy |" not in text  # the cell column names dataset too
    assert (
        "| mnist · naive_bayes | test accuracy          | 0.9000 (n=1) | 0.5000 | -0.4000 |" in text
    )
    assert text.rstrip().endswith("5 checks: 1 REGRESSION, 2 pass, 2 info; 1 failed.")
    assert (
        tally(check(SINGLE, tables_of(seed_result(0, 0.9, 0.8))))
        == "5 checks: 3 pass, 2 info; all passed."
    )


def test_environment_changes_are_listed_in_the_declared_order_and_the_commit_is_not_one():
    now = seed_result(0, 0.9, 0.8)
    now["env"] = {**now["env"], "python": "3.12.1", "device": "gpu:0", "git_commit": "def"}
    now["env"]["numpy"] = "2.1.0"
    text = render_check(
        check(SINGLE, tables_of(now)), SINGLE, "b.json", table_of(now), Tolerances()
    )
    assert (
        "Changed since the baseline: device cpu → gpu:0; python 3.11.7 → 3.12.1; "
        "numpy None → 2.1.0.\n"
    ) in text


def test_junit_has_one_case_per_row_and_a_failure_for_each_failed_one():
    rows = check(
        SINGLE, tables_of(seed_result(0, 0.897, 0.75, timing={"fit_s": 9.0, "predict_s": 0.02}))
    )
    root = ET.fromstring(junit_xml(rows, "nnbench check b.json", {"baseline": "b.json"}))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert (root.get("tests"), root.get("failures"), suite.get("failures")) == ("5", "1", "1")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("nnbench.mnist.naive_bayes", "test accuracy"),
        ("nnbench.mnist.naive_bayes", "test accuracy, class 0"),
        ("nnbench.mnist.naive_bayes", "test accuracy, class 1"),
        ("nnbench.mnist.naive_bayes", "fit time"),
        ("nnbench.mnist.naive_bayes", "predict time"),
    ]
    (failure,) = suite.iter("failure")
    assert failure.get("type") == "REGRESSION"
    assert failure.get("message") == (
        "mnist · naive_bayes test accuracy, class 1: REGRESSION; baseline 0.8000 (n=1), now "
        "0.7500, delta -0.0500, allowed ≥ 0.7800 (tol 0.02)."
    )
    assert "×6.00" in cases[3].find("system-out").text
    assert suite.find("properties/property").attrib == {"name": "baseline", "value": "b.json"}
