"""Result files: schema, round trip, atomic writes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnbench.errors import ResultFileError
from nnbench.results import SCHEMA, read_result, read_run, write_result


def make_result(**changes) -> dict:
    """A small but complete result document."""
    per_class = {"0": 0.9, "1": 0.8}
    result = {
        "schema": SCHEMA,
        "cell_id": "abc123",
        "dataset": "mnist",
        "model": "naive_bayes",
        "seed": 0,
        "params": {"variant": "multinomial"},
        "status": "ok",
        "error": None,
        "n_params": 7850,
        "metrics": {
            "train": {"accuracy": 0.85, "per_class": per_class, "n": 20},
            "test": {"accuracy": 0.84, "per_class": per_class, "n": 10},
        },
        "timing": {"fit_s": 1.5, "predict_s": 0.02},
        "history": [],
        "env": {"python": "3.11.7", "device": "cpu"},
    }
    result.update(changes)
    return result


def test_round_trip_keeps_every_field(tmp_path: Path):
    result = make_result()
    path = write_result(result, tmp_path)
    assert path.name == "mnist__naive_bayes__seed0__abc123.json"
    assert read_result(path) == result
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_file_name_is_safe_for_idx_paths(tmp_path: Path):
    path = write_result(make_result(dataset="idx:/home/me/my digits"), tmp_path)
    assert path.name == "idx-home-me-my-digits__naive_bayes__seed0__abc123.json"


def test_schema_mismatch_is_explained(tmp_path: Path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(make_result(schema="nnbench.result/0")))
    with pytest.raises(
        ResultFileError, match="schema 'nnbench.result/0', expected 'nnbench.result/1'"
    ):
        read_result(path)


def test_missing_keys_and_bad_json_are_named(tmp_path: Path):
    broken = make_result()
    del broken["timing"]
    (tmp_path / "a.json").write_text(json.dumps(broken))
    with pytest.raises(ResultFileError, match="missing keys timing"):
        read_result(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(ResultFileError, match="b.json: cannot be read as JSON"):
        read_result(tmp_path / "b.json")


def test_invalid_result_is_not_written(tmp_path: Path):
    with pytest.raises(ResultFileError, match="status 'maybe'"):
        write_result(make_result(status="maybe"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_read_run_orders_by_cell_index_and_rejects_empty_folders(tmp_path: Path):
    write_result(make_result(model="cnn", cell_id="b", cell_index=1), tmp_path)
    write_result(make_result(model="naive_bayes", cell_id="a", cell_index=0), tmp_path)
    assert [r["model"] for r in read_run(tmp_path)] == ["naive_bayes", "cnn"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ResultFileError, match="holds no result files"):
        read_run(empty)
    with pytest.raises(ResultFileError, match="no such run folder"):
        read_run(tmp_path / "absent")


def test_ok_results_need_both_splits_metrics(tmp_path: Path):
    broken = make_result()
    del broken["metrics"]["test"]
    (tmp_path / "a.json").write_text(json.dumps(broken))
    with pytest.raises(
        ResultFileError, match="metrics.test: an ok result needs accuracy, per_class and n"
    ):
        read_result(tmp_path / "a.json")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"seed": [1, 2]}, r"seed must be a whole number, got \[1, 2\]"),
        ({"seed": "0"}, "seed must be a whole number, got '0'"),
        ({"data": None}, "data must be a JSON object"),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {"accuracy": "abc", "per_class": {}, "n": 1},
                }
            },
            "metrics.test: accuracy must be from 0 to 1",
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "train": {"accuracy": 0.5, "per_class": [0.5], "n": 1},
                }
            },
            "metrics.train: accuracy must be from 0 to 1, per_class an object",
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {"accuracy": 0.5, "per_class": {"0": 2}, "n": 1},
                }
            },
            "each per_class accuracy must be from 0 to 1, or null",
        ),
    ],
    ids=["seed list", "seed text", "data null", "accuracy text", "per_class list", "class above 1"],
)
def test_result_values_of_the_wrong_type_are_named(tmp_path: Path, change, message):
    (tmp_path / "r.json").write_text(json.dumps(make_result(**change)))
    with pytest.raises(ResultFileError, match=message):
        read_result(tmp_path / "r.json")
