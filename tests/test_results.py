"""Result files: schema, round trip, atomic writes, clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from nnbench.errors import ResultFileError
from nnbench.result_tables import ALL, COLUMNS, CONFUSION_COLUMNS, EPOCH_COLUMNS, Tables, tables
from nnbench.results import SCHEMA, load, load_tables, read_result, read_run, write_result


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


def runs_table(runs: dict[str, list[dict]]) -> pd.DataFrame:
    """The rows of ``results.load()`` for result documents, by run."""
    return tables(runs).classes


def tables_of(*results: dict) -> Tables:
    """The tables of ``results.load_tables()`` for result documents of one run."""
    return tables({"run": list(results)})


def table_of(*results: dict) -> pd.DataFrame:
    """The rows of ``results.load()`` for result documents of one run."""
    return runs_table({"run": list(results)})


def test_round_trip_keeps_every_field(tmp_path: Path):
    result = make_result()
    path = write_result(result, tmp_path)
    assert path.name == "mnist__naive_bayes__seed0__abc123.json"
    assert read_result(path) == result
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    mask = os.umask(0o022)
    try:
        write_result(make_result(seed=1), tmp_path)
    finally:
        os.umask(mask)
    # readable like any file the user writes, not owner-only like a temporary file
    assert (tmp_path / "mnist__naive_bayes__seed1__abc123.json").stat().st_mode & 0o777 == 0o644


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
    with pytest.raises(ResultFileError, match="a.json: timing is missing"):
        read_result(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(ResultFileError, match="b.json: cannot be read as JSON"):
        read_result(tmp_path / "b.json")


def test_invalid_result_is_not_written(tmp_path: Path):
    with pytest.raises(
        ResultFileError, match="status is \"maybe\": should be 'ok', 'failed' or 'skipped'"
    ):
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
    with pytest.raises(ResultFileError, match="a.json: an ok result needs metrics of test"):
        read_result(tmp_path / "a.json")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"seed": [1, 2]}, r"seed is \[1, 2\]: should be a whole number"),
        ({"seed": "0"}, 'seed is "0": should be a whole number'),
        ({"data": None}, r"data is null: should be a table \(a JSON object\)"),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {"accuracy": "abc", "per_class": {}, "n": 1},
                }
            },
            'metrics.test.accuracy is "abc": should be a number',
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "train": {"accuracy": 0.5, "per_class": [0.5], "n": 1},
                }
            },
            r"metrics.train.per_class is \[0.5\]: should be a table",
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {"accuracy": 0.5, "per_class": {"0": 2}, "n": 1},
                }
            },
            "metrics.test.per_class.0 is 2: should be less than or equal to 1",
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {**make_result()["metrics"]["test"], "confusion": [[1, 2]]},
                }
            },
            "metrics.test: confusion must be 2 x 2, one row and column per class",
        ),
        (
            {
                "metrics": {
                    **make_result()["metrics"],
                    "test": {**make_result()["metrics"]["test"], "support": {"0": -1}},
                }
            },
            "metrics.test.support.0 is -1: should be greater than or equal to 0",
        ),
        ({"history": None}, "history is null: should be a list"),
        (
            {"history": [{"train_loss": 0.5}]},
            r"history\[0\].epoch is missing",
        ),
        (
            {"history": [{"epoch": 1, "train_loss": "low"}]},
            r'history\[0\].train_loss is "low": should be a number',
        ),
        ({"env": {"cores": "two"}}, 'env.cores is "two": should be a whole number'),
    ],
    ids=[
        "seed list",
        "seed text",
        "data null",
        "accuracy text",
        "per_class list",
        "class above 1",
        "confusion not square",
        "negative support",
        "history null",
        "epoch without a number",
        "loss as text",
        "cores as text",
    ],
)
def test_result_values_of_the_wrong_type_are_named(tmp_path: Path, change, message):
    (tmp_path / "r.json").write_text(json.dumps(make_result(**change)))
    with pytest.raises(ResultFileError, match=message):
        read_result(tmp_path / "r.json")


def counted(confusion: list[list[int]]) -> dict:
    """Two-class metrics with support and the confusion matrix, as nnbench 0.2 writes them."""
    hits = [confusion[0][0], confusion[1][1]]
    totals = [sum(row) for row in confusion]
    return {
        "accuracy": sum(hits) / sum(totals),
        "per_class": {"0": hits[0] / totals[0], "1": hits[1] / totals[1]},
        "support": {"0": totals[0], "1": totals[1]},
        "confusion": confusion,
        "n": sum(totals),
    }


def test_load_returns_one_typed_row_per_split_and_class(tmp_path: Path):
    ok = make_result(
        metrics={"train": counted([[8, 2], [1, 9]]), "test": counted([[4, 1], [0, 5]])},
        history=[{"epoch": 1, "elapsed_s": 0.5, "test_accuracy": 0.9, "train_loss": 0.3}],
        model_info={"n_nonzero": 12, "converged": False},
        env={"python": "3.11.7", "device": "cpu", "cores": 2},
        cell_index=0,
        warnings=["training went wrong: a", "and b"],
        model_origin={"kind": "file", "code": "sha256:abc"},
        data={"fingerprint": "f00d"},
    )
    old = make_result(model="dense_nn", seed=1, cell_id="def", cell_index=1)  # before 0.2
    failed = make_result(
        model="cnn", status="failed", error="boom", metrics={}, cell_id="ghi", cell_index=2
    )
    for result in (ok, old, failed):
        write_result(result, tmp_path / "run")
    frame = load(tmp_path / "run")
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == COLUMNS
    assert list(COLUMNS)[:8] == [
        "run", "dataset", "model", "seed", "protocol", "split", "class", "accuracy"
    ]  # fmt: skip
    assert len(frame) == 6 + 6 + 1  # (train, test) x (All, "0", "1") twice; the failed cell once
    rows = frame.set_index(["model", "split", "class"])
    assert rows.loc[("naive_bayes", "test", ALL), "accuracy"] == 0.9
    assert rows.loc[("naive_bayes", "test", "0"), ["accuracy", "n_images"]].tolist() == [0.8, 5]
    assert rows.loc[("naive_bayes", "train", ALL), "n_images"] == 20
    assert pd.isna(rows.loc[("dense_nn", "test", "1"), "n_images"])  # no support before 0.2
    first = frame.iloc[0]
    assert (first.run, first.seed, first.n_nonzero, first.converged) == (
        str(tmp_path / "run"), 0, 12, False
    )  # fmt: skip
    assert (first.env_cores, first.env_python, first.fit_s) == (2, "3.11.7", 1.5)
    assert pd.isna(first.env_tensorflow)
    assert frame.loc[frame.model == "cnn", ["status", "error"]].values.tolist() == [
        ["failed", "boom"]
    ]
    assert frame.loc[frame.model == "cnn", ["split", "class"]].isna().all(axis=None)
    assert frame.protocol.nunique() == 1  # the same params and data: seeds of one protocol
    assert json.loads(first.protocol) == {"params": {"variant": "multinomial"}}
    # warnings, the model's code and the data's fingerprint; none for a result before 0.5
    assert (first.warnings, first.code, first.data_fingerprint) == (
        "training went wrong: a; and b", "sha256:abc", "f00d"
    )  # fmt: skip
    assert frame.loc[frame.model == "dense_nn", ["warnings", "code"]].isna().all(axis=None)


def test_load_tables_gives_epochs_and_confusion_beside_the_classes(tmp_path: Path):
    ok = make_result(
        metrics={"train": counted([[8, 2], [1, 9]]), "test": counted([[4, 1], [0, 5]])},
        history=[{"epoch": 1, "elapsed_s": 0.5, "test_accuracy": 0.9, "train_loss": 0.3}],
    )
    write_result(ok, tmp_path / "run")
    found = load_tables(tmp_path / "run")
    assert {column: str(dtype) for column, dtype in found.epochs.dtypes.items()} == EPOCH_COLUMNS
    assert found.epochs[["epoch", "elapsed_s", "test_accuracy"]].values.tolist() == [[1, 0.5, 0.9]]
    assert pd.isna(found.epochs.test_loss.iloc[0])
    assert {c: str(d) for c, d in found.confusion.dtypes.items()} == CONFUSION_COLUMNS
    test = found.confusion[found.confusion.split == "test"]
    assert test[["true_class", "predicted_class", "count"]].values.tolist() == [
        ["0", "0", 4], ["0", "1", 1], ["1", "0", 0], ["1", "1", 5]
    ]  # fmt: skip


def test_load_refuses_a_class_named_like_the_overall_row(tmp_path: Path):
    metrics = {"accuracy": 0.5, "per_class": {"All": 0.5}, "n": 2}
    write_result(make_result(metrics={"train": metrics, "test": metrics}), tmp_path / "run")
    with pytest.raises(ResultFileError, match="has a class named 'All'"):
        load(tmp_path / "run")


def test_a_run_folder_given_twice_is_refused(tmp_path: Path, monkeypatch):
    write_result(make_result(), tmp_path / "run")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ResultFileError, match="run: this run folder is given twice"):
        load("run", tmp_path / "run")


def test_costs_fill_their_columns_and_are_missing_from_older_results():
    timing = {"fit_s": 2.41, "predict_s": 0.09, "eval_during_fit_s": 0.3, "wall_s": 3.9}
    timing |= {"load_s": 0.4, "build_s": 0.05, "compile_s": 0.7, "train_s": 1.66}
    timing |= {"score_s": 0.3, "measure_s": 0.45}
    memory = {"peak_rss_bytes": 512000000, "start_rss_bytes": 900000000, "interval_s": 0.01}
    memory |= {"samples": 390, "sampler_cpu_s": 0.004, "device_peak_bytes": None}
    inference = {"latency_p50_s": 0.0011, "latency_p95_s": 0.0015, "latency_n": 200}
    inference |= {"throughput_per_s": 85000.0, "throughput_batch": 1000, "throughput_images": 3000}
    size = {"parameter_bytes": 407080, "saved_bytes": 1250000, "saved_format": "keras"}
    measured = make_result(
        timing=timing,
        data={"cached": True},
        cost={"memory": memory, "inference": inference, "size": {**size, "unsaved_reason": None}},
    )
    no_inference = make_result(seed=1, cost={"memory": memory}, data={"cached": False})
    old = make_result(seed=2)  # before nnbench 0.7
    frame = table_of(measured, no_inference, old)
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == COLUMNS
    rows = frame[frame["class"] == ALL].drop_duplicates("seed").set_index("seed")
    costs = [*timing, "data_cached", "peak_rss_bytes", "device_peak_bytes", "sampler_cpu_s"]
    costs += ["latency_p50_s", "latency_p95_s", "throughput_per_s", *size]
    assert rows.loc[0, costs].tolist() == [
        2.41, 0.09, 0.3, 3.9, 0.4, 0.05, 0.7, 1.66, 0.3, 0.45, True, 512000000, pd.NA, 0.004,
        0.0011, 0.0015, 85000.0, 407080, 1250000, "keras",
    ]  # fmt: skip
    assert rows.loc[1, ["data_cached", "peak_rss_bytes"]].tolist() == [False, 512000000]
    assert rows.loc[1, ["latency_p50_s", "saved_bytes", "wall_s"]].isna().all()
    assert rows.loc[2, [c for c in costs if c not in ("fit_s", "predict_s")]].isna().all()
