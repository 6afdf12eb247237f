"""Tables: golden strings for the seed's layout and the comparison."""

from __future__ import annotations

from nnbench.report import comparison_table, render_report, seed_table, status_cell
from nnbench.stats import CellSummary, summarise
from tests.test_results import make_result


def one(result: dict) -> CellSummary:
    """The summary of a single seed's result."""
    (cell,) = summarise([result])
    return cell


PER_CLASS = {str(d): 0.9 + d / 100 for d in range(10)}


def digit_result(**changes) -> dict:
    metrics = {
        "train": {"accuracy": 0.9812, "per_class": {**PER_CLASS, "9": 0.94}, "n": 60000},
        "test": {"accuracy": 0.9701, "per_class": {**PER_CLASS, "8": None}, "n": 10000},
    }
    return make_result(metrics=metrics, **changes)


def test_seed_table_golden():
    assert seed_table(one(digit_result())) == (
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
    assert comparison_table(summarise(results)) == (
        "| model       |   test acc |   train acc |   fit s |   predict s |              parameters | status                   |\n"
        "|-------------|------------|-------------|---------|-------------|-------------------------|--------------------------|\n"
        "| naive_bayes |     0.9701 |      0.9812 |     1.5 |        0.02 |                   7,850 | ok                       |\n"
        "| lasso_logit |     0.9701 |      0.9812 |    58.4 |        0.03 | 1,985 non-zero of 7,850 | ok (not converged)       |\n"
        "| cnn         |          – |           – |       – |           – |                       – | failed: ValueError: boom |"
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
    assert "### cnn (seed 0)\n\n*failed: ValueError: boom*" in text
    assert text.rstrip().endswith(
        "Machine: Test CPU, 2 cores; device cpu; Python 3.11.7, "
        "scikit-learn 1.9, TensorFlow 2.21, Keras 3.15 "
        "(tensorflow backend); commit abc."
    )


def test_a_multi_line_error_shows_its_first_line_only():
    failed = make_result(
        status="failed", error="\x1b[31mValueError: bad | shape\x1b[0m\nTraceback line", metrics={}
    )
    assert status_cell(one(failed)) == "failed: ValueError: bad \\| shape"


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
    assert seed_table(one(ok)) == (
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
    cells = summarise([*seeds, make_result(model="cnn", seed=0), failed])
    # test: mean 0.84, sd 0.04, half-width 4.302653 * 0.04 / sqrt(3) = 0.0994
    assert comparison_table(cells) == (
        "| model       |   n |        test acc |       train acc |     fit s |   predict s |   parameters | status                                       |\n"
        "|-------------|-----|-----------------|-----------------|-----------|-------------|--------------|----------------------------------------------|\n"
        "| naive_bayes |   3 | 0.8400 ± 0.0994 | 0.9200 ± 0.0497 | 2.0 ± 2.5 | 0.02 ± 0.00 |        7,850 | ok                                           |\n"
        "| cnn         |   1 |          0.8400 |          0.8500 |       1.5 |        0.02 |        7,850 | failed (seed 1; 1 of 2 seeds): OSError: disk |"
    )
    assert seed_table(cells[0]) == (
        "| y:           |           0 |           1 |         All |\n"
        "|--------------|-------------|-------------|-------------|\n"
        "| Training Set | 0.92 ± 0.05 | 0.92 ± 0.05 | 0.92 ± 0.05 |\n"
        "| Test Set     | 0.84 ± 0.10 | 1.00 ± 0.00 | 0.84 ± 0.10 |"
    )
    text = render_report([*seeds])
    assert "### naive_bayes (seeds 0, 1, 2: mean ± half-width of the 95% t-interval)" in text
    assert "the mean ± the half-width of the 95% t-interval; n counts the seeds" in text


def test_a_class_without_training_images_keeps_the_columns_in_place():
    result = make_result(
        metrics={
            "train": {"accuracy": 0.9, "per_class": {"1": 0.9}, "n": 9},
            "test": {"accuracy": 0.8, "per_class": {"0": 0.7, "1": 0.9}, "n": 10},
        }
    )
    assert seed_table(one(result)).splitlines()[2:] == [
        "| Training Set |    – | 0.90 |  0.90 |",
        "| Test Set     | 0.70 | 0.90 |  0.80 |",
    ]
