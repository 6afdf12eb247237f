"""``nnbench export --to parquet DIR``: the files read back as exactly the tables of
``load_tables``, dtypes included, with the schema in their metadata; the docs list every
column."""

from __future__ import annotations

import pandas as pd

from nnbench.cli import main
from nnbench.export.to_parquet import FILES, PER_CLASS_COLUMNS, column_reference
from nnbench.parquet_files import parquet_metadata, read_parquet
from nnbench.result_tables import COLUMNS, CONFUSION_COLUMNS, EPOCH_COLUMNS, SCORE_COLUMNS
from nnbench.results import load, load_tables
from nnbench.schemas.result import SCHEMA
from tests.conftest import REPO
from tests.export.conftest import failed_result, skipped_result


def test_the_files_read_back_as_the_tables(synthetic_run, lecture_run, tmp_path, capsys):
    out = tmp_path / "parquet"
    assert main(["export", str(synthetic_run), str(lecture_run), "--to", "parquet", str(out)]) == 0
    assert capsys.readouterr().out.split() == [str(out / name) for name in FILES]
    tables = load_tables(synthetic_run, lecture_run)
    read = {name: read_parquet(out / name) for name in FILES}
    pd.testing.assert_frame_equal(read["cells.parquet"], load(synthetic_run, lecture_run))
    pd.testing.assert_frame_equal(read["history.parquet"], tables.epochs)
    pd.testing.assert_frame_equal(read["confusion.parquet"], tables.confusion)
    pd.testing.assert_frame_equal(read["scores.parquet"], tables.scores)
    scored = tables.classes[tables.classes["split"].notna()]
    expected = scored[list(PER_CLASS_COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(read["per_class.parquet"], expected)
    # every cell is there: 4 lecture cells and 2 synthetic ones of 2 splits x (All + 10 classes),
    # the odd one of 2 x (All + 2), and the failed and skipped ones as one row each
    cells = read["cells.parquet"]
    assert cells.groupby("status").size().to_dict() == {
        "failed": 1,
        "ok": 88 + 2 * 22 + 2 * 3,
        "skipped": 1,
    }
    assert set(read["history.parquet"]["model"]) == {"dense_nn", "cnn"}
    for name in FILES:
        metadata = parquet_metadata(out / name)
        assert metadata["schema"] == SCHEMA and metadata["table"] == name.split(".")[0]


def test_empty_tables_keep_their_dtypes(tmp_path):
    from nnbench.results import write_result

    run_dir = tmp_path / "nothing-ran"
    run_dir.mkdir()
    for result in (failed_result(), skipped_result()):
        write_result(result, run_dir)
    out = tmp_path / "parquet"
    assert main(["export", str(run_dir), "--to", "parquet", str(out)]) == 0
    tables = load_tables(run_dir)
    for name, frame in (("history", tables.epochs), ("scores", tables.scores)):
        assert frame.empty
        pd.testing.assert_frame_equal(read_parquet(out / f"{name}.parquet"), frame)


def test_mlflow_flags_are_refused_with_parquet(synthetic_run, tmp_path, capsys):
    argv = ["export", str(synthetic_run), "--to", "parquet", str(tmp_path / "p")]
    assert main([*argv, "--experiment", "x"]) == 2
    assert "--experiment is for --to mlflow only" in capsys.readouterr().err


def test_the_docs_hold_the_current_column_reference():
    doc = (REPO / "docs" / "export.md").read_text()
    assert column_reference() in doc
    tables = (COLUMNS, PER_CLASS_COLUMNS, EPOCH_COLUMNS, CONFUSION_COLUMNS, SCORE_COLUMNS)
    for columns in tables:
        for column, dtype in columns.items():
            assert f"| `{column}` | `{dtype}` |" in doc
