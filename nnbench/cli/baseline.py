"""``nnbench baseline``: a baseline file from one or more runs, for ``nnbench check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nnbench.cli.common import EXIT_OK


def baseline(args: argparse.Namespace) -> int:
    from nnbench.files import writing
    from nnbench.gate import Tolerances, baseline_summary, make_baseline, write_baseline
    from nnbench.progress import counted
    from nnbench.results import load_tables

    made = make_baseline(load_tables(*args.run_dir), note=args.note, metric=args.metric)
    with writing("--out", args.out):
        write_baseline(made, args.out)
    print(baseline_summary(made, Tolerances()), end="")
    print(f"nnbench: wrote {args.out} ({counted(len(made['cells']), 'cell')})", file=sys.stderr)
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "baseline",
        help="make a baseline file from one or more runs",
        description="Store, per (dataset, model), the mean and standard deviation over seeds of "
        "test accuracy, overall and per class, of fit and predict time, and of peak memory "
        "where the results hold it, with the protocol and the environment, for `nnbench check`.",
    )
    parser.add_argument("run_dir", type=Path, nargs="+", metavar="RUN_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="baseline file")
    parser.add_argument(
        "--metric",
        default="accuracy",
        metavar="NAME",
        help="also store this test metric for `nnbench check --metric` (default accuracy; see "
        "`nnbench check --help`)",
    )
    parser.add_argument("--note", metavar="TEXT", help="why and where it was made, stored in it")
    parser.set_defaults(handler=baseline)
