"""``nnbench export``: run folders as MLflow runs (``--to mlflow``) or as Parquet files
(``--to parquet DIR``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nnbench.cli.common import EXIT_OK

TARGETS = "`--to mlflow` or `--to parquet DIR`"


class Target(argparse.Action):
    """``--to mlflow`` or ``--to parquet DIR``: sets ``to`` and ``parquet_dir``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        target, *rest = list(values or [])
        if target == "mlflow" and not rest:
            namespace.to, namespace.parquet_dir = target, None
        elif target == "parquet" and len(rest) == 1:
            namespace.to, namespace.parquet_dir = target, Path(rest[0])
        elif target == "parquet" and not rest:
            raise argparse.ArgumentError(self, f"name the folder: {TARGETS}")
        else:
            raise argparse.ArgumentError(
                self,
                f"expected {TARGETS}, got {' '.join(values or [])!r} (give the run folders "
                "before --to)",
            )


def export(args: argparse.Namespace) -> int:
    from nnbench.errors import ConfigError

    if args.to == "parquet":
        from nnbench.export.to_parquet import export_parquet

        for flag in ("tracking_uri", "experiment"):
            if getattr(args, flag) is not None:
                raise ConfigError(f"--{flag.replace('_', '-')} is for --to mlflow only.")
        for path in export_parquet(args.run_dirs, args.parquet_dir):
            print(path)
        return EXIT_OK
    from nnbench.export.to_mlflow import export_mlflow

    print("\n".join(export_mlflow(args.run_dirs, args.tracking_uri, args.experiment)))
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "export",
        usage="%(prog)s RUN [RUN ...] --to {mlflow | parquet DIR} [--tracking-uri URI] "
        "[--experiment NAME]",
        help="export run folders to MLflow or to Parquet files",
        description="Export run folders: --to mlflow makes one MLflow run per result (its "
        "parameters, metrics, per-epoch history, tags, result and predictions files) under one "
        "parent run per folder (its reports), in an experiment named after the study or the "
        "folder; results exported before are skipped. --to parquet DIR writes cells.parquet, "
        "per_class.parquet, history.parquet, confusion.parquet and scores.parquet into DIR. "
        "See docs/export.md.",
    )
    parser.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN")
    parser.add_argument(
        "--to",
        nargs="+",
        action=Target,
        required=True,
        metavar=("{mlflow,parquet}", "DIR"),
        help="mlflow, or parquet and the folder to write the files into",
    )
    parser.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="MLflow tracking store or server: sqlite:///mlflow.db, http://host:5000 "
        "(default: MLflow's own, $MLFLOW_TRACKING_URI or sqlite:///mlflow.db)",
    )
    parser.add_argument(
        "--experiment",
        metavar="NAME",
        help="MLflow experiment (default: the results' study, else the run folder's name)",
    )
    parser.set_defaults(handler=export)
