"""Statistics over seeds: exact means, sds and t-intervals, and grouping by protocol."""

from __future__ import annotations

import math

import pytest

from nnbench.errors import ResultFileError
from nnbench.result_tables import protocol
from nnbench.stats import Estimate, estimate, summarise
from tests.test_results import make_result, runs_table, table_of


def test_estimate_is_mean_sample_sd_and_t_half_width():
    found = estimate([0.90, 0.92, 0.94])
    assert found.mean == pytest.approx(0.92)
    assert found.sd == pytest.approx(0.02)
    # t(0.975, 2 df) = 4.302653; half-width = t * sd / sqrt(n)
    assert found.half_width == pytest.approx(4.302653 * 0.02 / math.sqrt(3), rel=1e-6)
    assert found.n == 3
    assert found.format(".3f") == "0.920 ± 0.050"


def test_one_value_has_no_spread_and_missing_values_are_left_out():
    assert estimate([0.5, None]) == Estimate(0.5, None, None, 1)
    assert estimate([0.5, None]).format(".2f") == "0.50"
    assert estimate([None]) is None
    assert estimate([]) is None


def test_seeds_of_one_protocol_group_and_others_stay_apart():
    seed0 = make_result(model="dense_nn", params={"epochs": 5}, seed=0, data={"n_train": 100})
    seed1 = {
        **seed0,
        "seed": 1,
        "metrics": {
            "train": {"accuracy": 0.95, "per_class": {"0": 1.0, "1": 0.7}, "n": 20},
            "test": {"accuracy": 0.88, "per_class": {"0": 0.8, "1": 0.6}, "n": 10},
        },
    }
    other_epochs = {**seed0, "params": {"epochs": 1}}
    other_data = {**seed0, "data": {"n_train": 50}}
    cells = summarise(table_of(seed0, other_epochs, seed1, other_data))
    assert [(cell.seeds, cell.protocol["params"]) for cell in cells] == [
        ([0, 1], {"epochs": 5}),
        ([0], {"epochs": 1}),
        ([0], {"epochs": 5}),
    ]
    pooled = cells[0]
    assert pooled.accuracy("test").mean == pytest.approx((0.84 + 0.88) / 2)
    assert pooled.per_class("test")["1"].mean == pytest.approx((0.8 + 0.6) / 2)
    assert pooled.per_class("test")["1"].sd == pytest.approx(math.sqrt(0.02))
    assert pooled.timing("fit_s") == Estimate(1.5, 0.0, 0.0, 2)


def test_failed_and_skipped_seeds_are_left_out_of_the_numbers():
    ok = make_result(seed=0)
    failed = make_result(seed=1, status="failed", error="boom", metrics={}, timing={})
    (cell,) = summarise(table_of(ok, failed))
    assert cell.seeds == [0, 1]
    assert list(cell.with_status("failed")["seed"]) == [1]
    assert cell.accuracy("test") == Estimate(0.84, None, None, 1)


def test_protocol_is_as_stored_tuples_become_lists():
    result = make_result(params={"hidden_units": (128, 128)}, data={"subset": 10, "name": "x"})
    assert protocol(result) == {"params": {"hidden_units": [128, 128]}, "subset": 10}


def test_a_seed_given_twice_is_refused_naming_both_files():
    with pytest.raises(ResultFileError) as refused:
        summarise(runs_table({"a": [make_result(seed=3)], "b": [make_result(seed=3)]}))
    assert str(refused.value) == (
        "mnist · naive_bayes seed 3 has two results with the same protocol, "
        "a/mnist__naive_bayes__seed3__abc123.json and b/mnist__naive_bayes__seed3__abc123.json. "
        "They are the same cell run twice (a folder copied, or given twice?): keep one."
    )


def test_pooling_results_of_two_versions_of_a_model_names_what_differs():
    model = "my.py:Net"
    old = make_result(
        model=model,
        cell_id="old111",
        model_origin={"kind": "file", "code": "sha256:" + "1" * 64},
        data={"fingerprint": "d1"},
    )
    new = {
        **old,
        "cell_id": "new222",
        "model_origin": {"kind": "file", "code": "sha256:" + "2" * 64},
    }
    with pytest.raises(ResultFileError) as refused:
        summarise(runs_table({"runs/old": [old], "runs/new": [new]}))
    assert str(refused.value) == (
        "mnist · my.py:Net seed 0 has two results with the same protocol, "
        "runs/old/mnist__my.py-Net__seed0__old111.json and "
        "runs/new/mnist__my.py-Net__seed0__new222.json. They differ in the model's code "
        "(sha256:111111111111 against sha256:222222222222): report them apart, or pool runs of "
        "the same code and data that used different seeds."
    )
