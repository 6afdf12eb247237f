"""The per-folder index of result files: the same tables as reading every JSON file, kept up
to date by file name, size and time, rebuilt when damaged, and never corrupted by two
writers."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from nnbench import results_index
from nnbench.errors import ResultFileError
from nnbench.result_tables import Tables, tables
from nnbench.results import (
    RESULT_FILES,
    load,
    load_tables,
    read_result,
    read_run,
    result_files,
    update_index,
    write_result,
)
from nnbench.results_index import INDEX_DIR, TABLES, list_results, read_index
from nnbench.synthetic_results import SyntheticCell, synthetic_result, write_synthetic_run
from tests.test_results import make_result


def from_json(run_dir: Path) -> Tables:
    """The tables made straight from the result files, without an index."""
    return tables({str(run_dir): read_run(run_dir)})


def assert_same_tables(found: Tables, expected: Tables) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(found, name), getattr(expected, name))


def synthetic_run(run_dir: Path, n: int = 6, **changes) -> list[Path]:
    cells = [SyntheticCell(model=f"m{i % 3}", seed=i, epochs=2, **changes) for i in range(n)]
    return write_synthetic_run(run_dir, cells)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    synthetic_run(folder)
    write_result(make_result(seed=7, status="failed", error="boom", metrics={}), folder)
    skipped = make_result(seed=8, status="skipped", skip_reason="no GPU", metrics={})
    write_result({**skipped, "cell_index": 9}, folder)
    return folder


def test_a_load_through_the_index_gives_the_tables_of_the_json_files(run_dir: Path):
    first = load_tables(run_dir)  # builds the index
    assert (run_dir / INDEX_DIR / "classes.parquet").is_file()
    second = load_tables(run_dir)  # reads it
    expected = from_json(run_dir)
    assert_same_tables(first, expected)
    assert_same_tables(second, expected)
    assert set(second.classes["status"]) == {"ok", "failed", "skipped"}
    assert list(second.classes["run"].unique()) == [str(run_dir)]


def test_the_run_column_is_the_folder_as_given(run_dir: Path, monkeypatch):
    load(run_dir)
    monkeypatch.chdir(run_dir.parent)
    assert set(load("run")["run"]) == {"run"}
    assert set(load(Path("run") / ".." / "run")["run"]) == {str(Path("run") / ".." / "run")}


def test_deleting_the_index_loses_nothing(run_dir: Path):
    before = load_tables(run_dir)
    for path in (run_dir / INDEX_DIR).iterdir():
        path.unlink()
    (run_dir / INDEX_DIR).rmdir()
    assert_same_tables(load_tables(run_dir), before)


def counting_reader(calls: list[str]):
    def read(path: Path) -> dict:
        calls.append(path.name)
        return read_result(path)

    return read


def test_only_added_or_rewritten_files_are_read_again(run_dir: Path):
    load(run_dir)
    paths = [path for path in result_files(run_dir) if "synthetic" in path.name]
    rewritten = read_result(paths[0])
    rewritten["metrics"]["test"]["accuracy"] = 0.123
    write_result(rewritten, run_dir)
    added = write_result(synthetic_result(SyntheticCell(model="new", seed=3)), run_dir)
    paths[1].unlink()
    calls: list[str] = []
    found = results_index.folder_tables(run_dir, RESULT_FILES, counting_reader(calls))
    assert sorted(calls) == sorted([paths[0].name, added.name])
    assert_same_tables(load_tables(run_dir), from_json(run_dir))
    test_rows = found.classes[
        (found.classes["split"] == "test") & (found.classes["class"] == "All")
    ]
    assert 0.123 in set(test_rows["accuracy"])
    assert paths[1].name not in set(found.classes["run"])  # its rows went with it
    calls.clear()
    results_index.folder_tables(run_dir, RESULT_FILES, counting_reader(calls))
    assert calls == []  # fresh: nothing read


def test_rows_keep_the_order_the_cells_ran_after_an_update(tmp_path: Path):
    run_dir = tmp_path / "run"
    for index, seed in enumerate([5, 1, 3]):
        write_result({**make_result(seed=seed), "cell_index": index * 2}, run_dir)
    load(run_dir)
    write_result({**make_result(seed=9), "cell_index": 1}, run_dir)
    seeds = load(run_dir).drop_duplicates("seed")["seed"].tolist()
    assert seeds == [5, 9, 1, 3]


def test_a_damaged_index_is_rebuilt(run_dir: Path):
    expected = load_tables(run_dir)
    (run_dir / INDEX_DIR / "classes.parquet").write_bytes(b"not parquet")
    assert read_index(run_dir) is None
    assert_same_tables(load_tables(run_dir), expected)
    assert read_index(run_dir) is not None


def test_files_of_two_generations_are_not_read_as_one_index(run_dir: Path):
    load(run_dir)
    old_scores = (run_dir / INDEX_DIR / "scores.parquet").read_bytes()
    write_result(synthetic_result(SyntheticCell(model="later", seed=1)), run_dir)
    load(run_dir)
    (run_dir / INDEX_DIR / "scores.parquet").write_bytes(old_scores)  # a writer that did not lock
    assert read_index(run_dir) is None
    assert_same_tables(load_tables(run_dir), from_json(run_dir))


def test_an_index_of_another_layout_is_rebuilt(run_dir: Path, monkeypatch):
    load(run_dir)
    monkeypatch.setattr(results_index, "LAYOUT", "another nnbench")
    assert read_index(run_dir) is None
    assert_same_tables(load_tables(run_dir), from_json(run_dir))
    assert read_index(run_dir) is not None


def test_a_folder_that_cannot_hold_an_index_loads_without_one(run_dir: Path, monkeypatch):
    def read_only(*args):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(results_index, "write_index", read_only)
    assert_same_tables(load_tables(run_dir), from_json(run_dir))
    assert read_index(run_dir) is None


def test_a_malformed_new_file_is_still_an_error(run_dir: Path):
    load(run_dir)
    bad = run_dir / "mnist__naive_bayes__seed3__bad.json"
    bad.write_text(json.dumps({"schema": "nnbench.result/1", "dataset": "mnist"}))
    with pytest.raises(ResultFileError, match="seed3__bad.json"):
        load(run_dir)


def test_the_listing_is_the_result_files(run_dir: Path):
    (run_dir / "package.json").write_text("{}")
    (run_dir / ".hidden__x__seed1__y.json").write_text("{}")
    listed = list_results(run_dir, RESULT_FILES)
    assert sorted(listed) == [path.name for path in result_files(run_dir)]
    assert all(size > 0 and mtime > 0 for size, mtime in listed.values())


def write_and_index(run_dir: str, model: str, n: int) -> None:
    """One writer of the concurrency test: results, with an index update after each two."""
    for seed in range(n):
        write_result(
            synthetic_result(SyntheticCell(model=model, seed=seed, epochs=1)), Path(run_dir)
        )
        if seed % 2:
            update_index(Path(run_dir))


@pytest.mark.slow
def test_two_processes_writing_one_folder_never_corrupt_its_index(tmp_path: Path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=write_and_index, args=(str(run_dir), model, 30))
        for model in ("first", "second")
    ]
    for writer in writers:
        writer.start()
    seen = 0
    while any(writer.is_alive() for writer in writers):
        if result_files(run_dir):
            frame = load(run_dir)  # a third process reading meanwhile always gets whole tables
            assert frame["accuracy"].notna().any()
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert seen > 0
    index = read_index(run_dir)  # whole, and up to date: each writer updated it last
    assert index is not None and len(index.manifest) == 60
    assert_same_tables(load_tables(run_dir), from_json(run_dir))
    assert len(read_run(run_dir)) == 60
