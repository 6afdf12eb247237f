"""``nnbench export``'s command line: the issue's two forms parse, wrong ones exit 2 naming
``--to`` and its two forms, and ``--help`` imports neither MLflow nor pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnbench.cli import build_parser, main


def test_the_two_forms_parse():
    args = build_parser().parse_args(
        ["export", "a", "b", "--to", "mlflow", "--tracking-uri", "sqlite:///x.db"]
    )
    assert (args.run_dirs, args.to, args.parquet_dir) == ([Path("a"), Path("b")], "mlflow", None)
    assert (args.tracking_uri, args.experiment) == ("sqlite:///x.db", None)
    args = build_parser().parse_args(["export", "a", "--to", "parquet", "out"])
    assert (args.run_dirs, args.to, args.parquet_dir) == ([Path("a")], "parquet", Path("out"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["a", "--to", "parquet"],
            "argument --to: name the folder: `--to mlflow` or `--to parquet DIR`",
        ),
        (["a", "--to", "mlflow", "b"], "got 'mlflow b' (give the run folders before --to)"),
        (["--to", "parquet", "out", "a"], "got 'parquet out a' (give the run folders before --to)"),
        (["a", "--to", "csv"], "expected `--to mlflow` or `--to parquet DIR`, got 'csv'"),
        (["a"], "the following arguments are required: --to"),
    ],
)
def test_wrong_forms_exit_2_with_the_right_one(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["export", *argv])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("target", [["mlflow"], ["parquet", "out"]])
def test_a_folder_that_is_not_a_run_exits_2(target, tmp_path, capsys):
    assert main(["export", str(tmp_path / "absent"), "--to", *target]) == 2
    assert "no such run folder" in capsys.readouterr().err


def test_help_imports_neither_mlflow_nor_pandas():
    code = (
        "import sys\n"
        "from nnbench.cli import main\n"
        "try:\n"
        "    main(['export', '--help'])\n"
        "except SystemExit:\n"
        "    print(*(name in sys.modules for name in ('mlflow', 'pandas', 'pyarrow')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--to {mlflow | parquet DIR}" in done.stdout
    assert done.stdout.strip().endswith("False False False")
