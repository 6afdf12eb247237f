"""Step detection over synthetic histories: planted steps found at their commits and nowhere
else, no step where none was planted, with and without stored predictions."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nnbench.compare import PairResult
from nnbench.history.detect import History, build_history, model_labels
from nnbench.history.points import no_spread
from nnbench.history.synthetic import Plan, write_synthetic_history
from nnbench.presentation import label_cells
from nnbench.stats import CellSummary
from tests.history.conftest import STEPS


def found(history: History, commits: list[str]) -> set[tuple[str, int, str, str]]:
    """(model, commit number, kind, change) of every step."""
    return {
        (
            series.title.rsplit(" · ", 1)[1],
            commits.index(point.revision.key),
            step.kind,
            step.change,
        )
        for series in history.series
        for point in series.points
        for step in point.steps
    }


@pytest.mark.slow
def test_planted_steps_are_found_at_their_commits_and_nowhere_else(stepped):
    folder, commits = stepped
    history = build_history([folder])
    assert found(history, commits) == {
        (model, number, kind, change)
        for model in ("dense_nn", "cnn")
        for number, kind, change in ((16, "metric", "worse"), (22, "time", "slower"))
    }
    assert history.ordered_by == "start time"  # made-up commits: not in this repository
    assert (history.runs, history.results) == (30, 180)
    for series in history.series:
        assert series.title.startswith("synthetic-digits (synthetic data) · ")
        assert [point.revision.key for point in series.points] == commits
        assert all(point.metric.n == 3 for point in series.points)
        metric, time = series.points[16].steps[0], series.points[22].steps[0]
        assert metric.before - metric.after == pytest.approx(0.04, abs=0.01)
        assert metric.paired_test == "paired t" and metric.level_p < 0.025
        assert time.after / time.before == pytest.approx(1.5, abs=0.1)


@pytest.mark.slow
def test_a_history_without_a_step_flags_nothing(stepless):
    folder, commits = stepless
    history = build_history([folder])
    assert found(history, commits) == set()
    assert len(history.series) == 2 and all(len(s.points) == 30 for s in history.series)


@pytest.mark.slow
def test_without_predictions_the_level_rule_finds_a_clear_step(tmp_path):
    plan = Plan(models=("dense_nn",), predictions=False, seed=2, **STEPS)
    commits = write_synthetic_history(tmp_path, plan)
    history = build_history([tmp_path])
    assert found(history, commits) == {
        ("dense_nn", 16, "metric", "worse"),
        ("dense_nn", 22, "time", "slower"),
    }
    assert history.series[0].points[16].steps[0].paired_test is None


@pytest.mark.slow
def test_another_metric_is_read_from_the_scores_and_has_no_paired_test(tmp_path):
    plan = Plan(models=("dense_nn",), seed=3, accuracy_step=(16, 0.04))
    commits = write_synthetic_history(tmp_path, plan)
    for path in tmp_path.glob("*/*.json"):  # log loss rising as accuracy falls
        result = json.loads(path.read_text())
        test = result["metrics"]["test"]
        test["scores"] = {"log_loss": round(2 * (1 - test["accuracy"]), 6)}
        path.write_text(json.dumps(result))
    history = build_history([tmp_path], metric="log_loss")
    assert found(history, commits) == {("dense_nn", 16, "metric", "worse")}
    step = history.series[0].points[16].steps[0]
    assert step.after > step.before and step.paired_test is None


@pytest.mark.slow
def test_a_time_change_below_the_ratio_is_no_step(tmp_path):
    plan = Plan(models=("dense_nn",), predictions=False, time_step=(10, 1.1), time_noise=0.01)
    commits = write_synthetic_history(tmp_path, plan)
    assert found(build_history([tmp_path]), commits) == set()
    assert found(build_history([tmp_path], time_ratio=1.05), commits) == {
        ("dense_nn", 10, "time", "slower")
    }


@pytest.mark.slow
def test_false_alarms_over_ten_stepless_histories_stay_within_the_bound(tmp_path):
    plan = Plan(models=tuple(f"model-{index}" for index in range(10)), seed=7)
    write_synthetic_history(tmp_path, plan)
    history = build_history([tmp_path])
    alarms = sum(any(point.steps for point in series.points) for series in history.series)
    # each series' steps are at most α = 0.05 likely by chance (metric and time each);
    # benchmarks/history_false_alarms.py measures the rate over more series
    assert len(history.series) == 10 and alarms <= 1


def test_labels_of_many_protocols_are_label_cells():
    protocols = ['{"params":{"C":1}}', '{"params":{"C":2}}', '{"params":{"C":3}}']
    protocols.append('{"params":{"C":1,"precision":"mixed_bfloat16"}}')
    cells = [
        CellSummary(pd.DataFrame({"dataset": ["d"], "model": ["m"], "protocol": [protocol]}))
        for protocol in protocols
    ]
    labels = model_labels(cells)
    assert labels == label_cells(cells)
    assert labels[cells[3]] == "m (precision mixed_bfloat16)"


def test_a_test_over_seeds_without_spread_is_left_to_the_level_test():
    same = PairResult("d", "b", "a", None, "paired t", 3, -0.001, -0.001, -0.001, p=0.0)
    spread = PairResult("d", "b", "a", None, "paired t", 3, -0.001, -0.003, 0.001, p=0.2)
    one_seed = PairResult("d", "b", "a", 0, "McNemar exact", 1000, 0.0, 0.0, 0.0, 0, 0, p=1.0)
    assert [no_spread(result) for result in (same, spread, one_seed)] == [True, False, False]
