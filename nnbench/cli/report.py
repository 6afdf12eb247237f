"""``nnbench report``: the tables and plots of finished runs, from their result files."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnbench.cli.common import EXIT_OK, target_flags


def report(args: argparse.Namespace) -> int:
    from nnbench.report.publish import publish
    from nnbench.results import load_tables
    from nnbench.studies import study_of

    tables = load_tables(*args.run_dir)
    study = study_of(tables.classes["study"].dropna().unique().tolist())
    only = args.run_dir[0] if len(args.run_dir) == 1 else None
    targets = args.target or ()
    publish(lambda plots: study.report(tables, targets, plots), only, args.format, args.output)
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "report",
        parents=[target_flags()],
        help="write the tables and plots of finished runs",
        description="Build the report from run folders' result files; nothing is rerun. A "
        "study's run gets that study's report (see `nnbench study --help`). Seeds "
        "of one cell are pooled (mean ± 95% t-interval, n). By default every format "
        "(report.md, report.tex, report.html, report.csv) and the plots (plots/*.png, *.svg) "
        "go into the run folder, or --output DIR, and the Markdown is printed.",
    )
    parser.add_argument("run_dir", type=Path, nargs="+", metavar="DIR")
    parser.add_argument(
        "--format",
        choices=["md", "latex", "html", "csv"],
        help="only this format: printed, or written to --output FILE with the plots beside it",
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        help="the folder for every format, or with --format the file (default: the run folder)",
    )
    parser.set_defaults(handler=report)
