"""Tables: golden strings for the lecture's layout and the comparison, the lecture's column, time
to accuracy, and what the report says about skipped, failed and synthetic cells."""

from __future__ import annotations

import pandas as pd
import pytest

from nnbench.presentation import Table, label_cells, markdown_table, status_cell
from nnbench.report.render import markdown
from nnbench.report.tables import (
    comparison_table,
    per_class_table,
    time_to_accuracy,
    time_to_accuracy_table,
)
from nnbench.result_tables import EPOCH_COLUMNS, tables
from nnbench.stats import CellSummary, summarise
from nnbench.studies.lecture import PUBLISHED
from tests.report.sample import lecture_report
from tests.test_results import make_result, table_of


def one(result: dict) -> CellSummary:
    """The summary of a single seed's result."""
    (cell,) = summarise(table_of(result))
    return cell


def md(table: Table) -> str:
    return markdown_table(table)


def compare(cells: list[CellSummary]) -> Table:
    """The comparison table of one dataset's cells."""
    return comparison_table(cells, label_cells(cells), PUBLISHED)


def render_report(results: list[dict], targets: tuple[float, ...] = ()) -> str:
    """The Markdown report of result documents, without plots."""
    return markdown(lecture_report(tables({"run": results}), targets, with_plots=False))


PER_CLASS = {str(d): 0.9 + d / 100 for d in range(10)}


def digit_result(**changes) -> dict:
    metrics = {
        "train": {"accuracy": 0.9812, "per_class": {**PER_CLASS, "9": 0.94}, "n": 60000},
        "test": {"accuracy": 0.9701, "per_class": {**PER_CLASS, "8": None}, "n": 10000},
    }
    return make_result(metrics=metrics, **changes)


def test_per_class_table_golden():
    assert md(per_class_table(one(digit_result()))) == (
        "| y:           |    0 |    1 |    2 |    3 |    4 |    5 |    6 |    7 |    8 |    9 |   All |\n"
        "|--------------|------|------|------|------|------|------|------|------|------|------|-------|\n"
        "| Training Set | 0.90 | 0.91 | 0.92 | 0.93 | 0.94 | 0.95 | 0.96 | 0.97 | 0.98 | 0.94 |  0.98 |\n"
        "| Test Set     | 0.90 | 0.91 | 0.92 | 0.93 | 0.94 | 0.95 | 0.96 | 0.97 |    – | 0.99 |  0.97 |"
    )


def test_comparison_table_golden():
    results = [
        digit_result(),
        digit_result(
            model="lasso_logit",
            params={"C": 0.1, "solver": "fista", "tol": 0.0001, "max_iter": 2000},  # the lecture's
            n_params=7850,
            model_info={"converged": False, "n_nonzero": 1985},
            timing={"fit_s": 58.44, "predict_s": 0.0312},
        ),
        make_result(
            model="cnn",
            status="failed",
            error="ValueError: boom",
            n_params=None,
            metrics={},
            timing={},
        ),
    ]
    assert md(compare(summarise(table_of(*results)))) == (
        "| model       |   test acc |                   95% interval |        lecture |   train acc |   fit s |   predict s |              parameters | device   | status                   |\n"
        "|-------------|------------|--------------------------------|----------------|-------------|---------|-------------|-------------------------|----------|--------------------------|\n"
        "| naive_bayes |     0.9701 | 0.9666–0.9733 over test images |           0.82 |      0.9812 |     1.5 |        0.02 |                   7,850 | cpu      | ok                       |\n"
        "| lasso_logit |     0.9701 | 0.9666–0.9733 over test images |           0.91 |      0.9812 |    58.4 |        0.03 | 1,985 non-zero of 7,850 | cpu      | ok (not converged)       |\n"
        "| cnn         |          – |                              – | other protocol |           – |       – |           – |                       – | cpu      | failed: ValueError: boom |"
    )


def test_report_marks_synthetic_data_and_failed_cells():
    env = {
        "python": "3.11.7",
        "device": "cpu",
        "cpu": "Test CPU",
        "cores": 2,
        "sklearn": "1.9",
        "tensorflow": "2.21",
        "keras": "3.15",
        "keras_backend": "tensorflow",
        "git_commit": "abc",
    }
    results = [
        digit_result(env=env, data={"synthetic": True}),
        make_result(
            model="cnn",
            status="failed",
            error="ValueError: boom",
            env=env,
            data={"synthetic": True},
        ),
    ]
    text = render_report(results)
    assert "## mnist (synthetic data)\n" in text
    assert "SYNTHETIC data: mnist is a generated stand-in, not real images" in text
    assert "|   lecture |" not in text  # the lecture's numbers are for the real data only
    assert "the lecture has none to compare" in text
    assert "### cnn (seed 0)\n\nfailed: ValueError: boom\n" in text
    assert text.split("## Environment\n\n")[1] == (
        "|              | value                     |\n"
        "|--------------|---------------------------|\n"
        "| CPU          | Test CPU, 2 cores         |\n"
        "| device       | cpu                       |\n"
        "| Python       | 3.11.7                    |\n"
        "| scikit-learn | 1.9                       |\n"
        "| TensorFlow   | 2.21                      |\n"
        "| Keras        | 3.15 (tensorflow backend) |\n"
        "| NumPy        | ?                         |\n"
        "| pandas       | ?                         |\n"
        "| nnbench      | ?                         |\n"
        "| platform     | unknown                   |\n"
        "| git commit   | abc                       |\n"
    )


def test_a_multi_line_error_shows_its_first_line_only():
    failed = make_result(
        status="failed", error="\x1b[31mValueError: bad | shape\x1b[0m\nTraceback line", metrics={}
    )
    assert status_cell(one(failed)) == "failed: ValueError: bad | shape"
    assert "| failed: ValueError: bad \\| shape |" in md(compare([one(failed)]))


@pytest.mark.slow
def test_two_class_tables_use_the_class_names_and_skips_show_their_reason():
    metrics = {
        "train": {"accuracy": 0.905, "per_class": {"Female": 0.92, "Male": 0.8951}, "n": 36},
        "test": {"accuracy": 0.889, "per_class": {"Female": 0.87, "Male": 0.89}, "n": 5},
    }
    faces = {"dataset": "faces-synthetic", "data": {"synthetic": True}}
    ok = make_result(model="dense_nn", metrics=metrics, **faces)
    skipped = make_result(
        model="lasso_logit",
        status="skipped",
        skip_reason="costly on 44,550 inputs",
        n_params=None,
        metrics={},
        timing={},
        **faces,
    )
    assert md(per_class_table(one(ok))) == (
        "| y:           |   Female |   Male |   All |\n"
        "|--------------|----------|--------|-------|\n"
        "| Training Set |     0.92 |   0.90 |  0.91 |\n"
        "| Test Set     |     0.87 |   0.89 |  0.89 |"
    )
    assert status_cell(one(skipped)) == "skipped"
    text = render_report([ok, skipped, {**skipped, "model": "cnn"}])
    assert "## faces-synthetic (synthetic data)\n" in text
    assert "| lasso_logit |          – |" in text
    assert "\n\n- Skipped lasso_logit, cnn: costly on 44,550 inputs\n\n### dense_nn" in text
    assert "### lasso_logit" not in text


def test_a_dataset_skipped_whole_gets_its_reasons_without_a_table():
    absent = make_result(
        dataset="candidates", status="skipped", skip_reason="No candidate photos at data/x."
    )
    results = [
        absent,
        {**absent, "model": "cnn"},
        {**absent, "model": "lasso_logit", "skip_reason": "costly"},
    ]
    text = render_report(results)
    assert "## candidates\n\n- Skipped naive_bayes, cnn: No candidate photos at data/x.\n" in text
    assert "- Skipped lasso_logit: costly\n" in text
    assert "| model" not in text


def test_several_seeds_show_mean_and_half_width_with_n():
    seeds = [
        make_result(
            seed=seed,
            metrics={
                "train": {"accuracy": train, "per_class": {"0": train, "1": train}, "n": 20},
                "test": {"accuracy": test, "per_class": {"0": test, "1": 1.0}, "n": 10},
            },
            timing={"fit_s": fit, "predict_s": 0.02},
        )
        for seed, train, test, fit in (
            (0, 0.90, 0.80, 1.0),
            (1, 0.92, 0.84, 2.0),
            (2, 0.94, 0.88, 3.0),
        )
    ]
    failed = make_result(model="cnn", seed=1, status="failed", error="OSError: disk", metrics={})
    cells = summarise(table_of(*seeds, make_result(model="cnn", seed=0), failed))
    # test: mean 0.84, sd 0.04, half-width 4.302653 * 0.04 / sqrt(3) = 0.0994; the cnn's one
    # successful seed: Wilson's interval of 8 of 10 test images, 0.4902 to 0.9433
    assert md(compare(cells)) == (
        "| model       |   test acc |                     95% interval |        lecture |       train acc |     fit s |   predict s |   parameters | device   | status                                       |\n"
        "|-------------|------------|----------------------------------|----------------|-----------------|-----------|-------------|--------------|----------|----------------------------------------------|\n"
        "| naive_bayes |     0.8400 | 0.7406–0.9394 over seeds (n = 3) |           0.82 | 0.9200 ± 0.0497 | 2.0 ± 2.5 | 0.02 ± 0.00 |        7,850 | cpu      | ok                                           |\n"
        "| cnn         |     0.8400 |   0.4902–0.9433 over test images | other protocol |          0.8500 |       1.5 |        0.02 |        7,850 | cpu      | failed (seed 1; 1 of 2 seeds): OSError: disk |"
    )
    assert md(per_class_table(cells[0])) == (
        "| y:           |           0 |           1 |         All |\n"
        "|--------------|-------------|-------------|-------------|\n"
        "| Training Set | 0.92 ± 0.05 | 0.92 ± 0.05 | 0.92 ± 0.05 |\n"
        "| Test Set     | 0.84 ± 0.10 | 1.00 ± 0.00 | 0.84 ± 0.10 |"
    )
    text = render_report([*seeds])
    assert "### naive_bayes (seeds 0, 1, 2: mean ± half-width of the 95% t-interval)" in text
    assert (
        "Other values over several seeds are the mean ± the half-width of the 95% t-interval"
        in text
    )


def test_a_class_without_training_images_keeps_the_columns_in_place():
    result = make_result(
        metrics={
            "train": {"accuracy": 0.9, "per_class": {"1": 0.9}, "n": 9},
            "test": {"accuracy": 0.8, "per_class": {"0": 0.7, "1": 0.9}, "n": 10},
        }
    )
    assert md(per_class_table(one(result))).splitlines()[2:] == [
        "| Training Set |    – | 0.90 |  0.90 |",
        "| Test Set     | 0.70 | 0.90 |  0.80 |",
    ]


def history(accuracies: list[float], seconds: list[float]) -> pd.DataFrame:
    """A hand-made learning history, one row per epoch."""
    rows = [
        {"epoch": epoch, "elapsed_s": elapsed, "test_accuracy": accuracy}
        for epoch, (accuracy, elapsed) in enumerate(zip(accuracies, seconds, strict=True), 1)
    ]
    columns = {key: EPOCH_COLUMNS[key] for key in ("epoch", "elapsed_s", "test_accuracy")}
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


# Keras stores accuracies as float32: 0.97 comes back as 0.9700000286102295, 0.9699 as
# 0.9699000120162964; and a dip after the target was first reached does not move the answer.
FLOAT32_HISTORY = history(
    [0.9699000120162964, 0.9700000286102295, 0.9650000333786011, 0.99], [1.5, 3.25, 5.0, 6.75]
)


@pytest.mark.parametrize(
    "epochs, final, fit_s, target, expected",
    [
        (FLOAT32_HISTORY, 0.99, 9.0, 0.97, (3.25, 2)),
        (FLOAT32_HISTORY, 0.99, 9.0, 0.9699, (1.5, 1)),
        (FLOAT32_HISTORY, 0.99, 9.0, 0.98, (6.75, 4)),
        (FLOAT32_HISTORY, 0.99, 9.0, 0.995, None),
        (history([], []), 0.97, 7.5, 0.97, (7.5, None)),  # no epochs: the whole fit
        (history([], []), 0.9699, 7.5, 0.97, None),
    ],
    ids=["float32 0.97", "first epoch", "after a dip", "never", "no epochs", "no epochs, short"],
)
def test_time_to_accuracy_is_the_first_epoch_reaching_the_target(
    epochs, final, fit_s, target, expected
):
    assert time_to_accuracy(epochs, final, fit_s, target) == expected


def dense_seed(seed: int, accuracies: list[float], seconds: list[float]) -> dict:
    """A dense-net result whose history has these test accuracies and training seconds."""
    rows = [
        {"epoch": epoch, "train_loss": 0.5, "test_accuracy": accuracy, "elapsed_s": elapsed}
        for epoch, (accuracy, elapsed) in enumerate(zip(accuracies, seconds, strict=True), 1)
    ]
    final = accuracies[-1]
    metrics = {
        "train": {"accuracy": 0.99, "per_class": {"0": 0.99, "1": 0.99}, "n": 20},
        "test": {"accuracy": final, "per_class": {"0": final, "1": final}, "n": 10},
    }
    return make_result(
        model="dense_nn", seed=seed, history=rows, metrics=metrics, params={"epochs": len(rows)}
    )


def test_time_to_accuracy_table_pools_seeds_and_says_what_was_not_reached():
    seeds = [
        dense_seed(0, [0.95, 0.975, 0.98], [2.0, 4.0, 6.0]),
        dense_seed(1, [0.96, 0.965, 0.972], [2.5, 5.0, 7.0]),
        dense_seed(2, [0.90, 0.93, 0.96], [2.0, 4.0, 6.0]),
    ]
    bayes = make_result(seed=0, timing={"fit_s": 0.4, "predict_s": 0.01})  # test acc 0.84
    frame = tables({"run": [*seeds, bayes]})
    cells = summarise(frame.classes)
    table = time_to_accuracy_table(cells, frame.epochs, [0.97, 0.8], label_cells(cells))
    # 0.97: seeds 0 and 1 reach it at 4.0 s (epoch 2) and 7.0 s (epoch 3): mean 5.5, sd 2.1213,
    # half-width 12.706205 * 2.1213 / sqrt(2) = 19.06; seed 2 tops out at 0.96. 0.8: every seed
    # at epoch 1, 2.0, 2.5, 2.0 s: mean 2.167, half-width 4.302653 * 0.2887 / sqrt(3) = 0.717
    assert md(table) == (
        "| model       |                 time to test acc ≥ 0.97 |   time to test acc ≥ 0.8 |\n"
        "|-------------|-----------------------------------------|--------------------------|\n"
        "| dense_nn    | 5.5 ± 19.1 s (epochs 2–3; 2 of 3 seeds) |    2.2 ± 0.7 s (epoch 1) |\n"
        "| naive_bayes |               not reached (best 0.8400) |        0.4 s (whole fit) |"
    )


def test_one_model_under_two_protocols_is_named_by_what_differs():
    short = dense_seed(0, [0.9, 0.95, 0.96], [1.0, 2.0, 3.0])
    long = dense_seed(0, [0.9, 0.95, 0.96, 0.97, 0.98], [1.0, 2.0, 3.0, 4.0, 5.0])
    frame = tables({"run": [short, long]})
    report = markdown(lecture_report(frame, targets=[0.95], with_plots=False))
    # the same names in the comparison, the time-to-accuracy, metrics, paired and cost tables,
    # and the per-class tables' headings
    assert report.count("| dense_nn (epochs 3) |") == 5
    assert report.count("| dense_nn (epochs 5) |") == 5
    assert "### dense_nn (epochs 5) (seed 0)" in report


def test_a_precision_other_than_float32_is_named_beside_the_model():
    full = make_result(model="cnn", params={"epochs": 5, "precision": "float32"})
    mixed = make_result(model="dense_nn", params={"epochs": 5, "precision": "mixed_bfloat16"})
    labels = label_cells(summarise(table_of(full, mixed)))
    assert sorted(labels.values()) == ["cnn", "dense_nn (precision mixed_bfloat16)"]


def test_the_lecture_number_is_shown_for_the_lecture_protocol_only():
    full = make_result(params={"variant": "multinomial"}, data={"subset": None})
    subset = make_result(seed=1, params={"variant": "multinomial"}, data={"subset": 1000})
    other = make_result(model="dense_nn", params={"epochs": 3, "hidden_units": [128, 128, 128]})
    unlisted = make_result(model="resnet")
    rows = compare(summarise(table_of(full, subset, other, unlisted))).rows
    # columns: model, test acc, 95% interval, lecture, ...
    assert [(row[0], row[3]) for row in rows] == [
        ("naive_bayes (subset None)", "0.82"),
        ("naive_bayes (subset 1000)", "other protocol"),
        ("dense_nn", "other protocol"),  # the lecture's dense net trained 5 epochs
        ("resnet", "–"),  # the lecture has no number for this model
    ]


def test_a_model_without_a_recorded_fit_time_reaches_its_target_untimed():
    untimed = [make_result(seed=seed, timing={"predict_s": 0.01}) for seed in (0, 1)]  # 0.84
    frame = tables({"run": untimed})
    cells = summarise(frame.classes)
    table = time_to_accuracy_table(cells, frame.epochs, [0.8], label_cells(cells))
    assert table.rows == [["naive_bayes", "time not recorded (whole fit)"]]
    (row,) = compare(cells).rows
    assert (row[0], row[1], row[2], row[5]) == (
        "naive_bayes",
        "0.8400",
        "0.8400–0.8400 over seeds (n = 2)",
        "–",  # no fit time
    )
