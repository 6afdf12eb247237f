"""``nnbench check``: the accuracy-regression gate, a run against a baseline (exit 1 on a
regression)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nnbench.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    non_negative_float,
    positive_float,
    unit_interval,
)

if TYPE_CHECKING:
    from nnbench.gate import Row


def exit_status(rows: Sequence[Row]) -> int:
    """1 when a row's verdict fails the check, else 0."""
    return EXIT_FAILED if any(row.failed for row in rows) else EXIT_OK


def gate(args: argparse.Namespace) -> int:
    from nnbench.files import atomic_write_text, writing
    from nnbench.gate import Tolerances, check, junit_xml, read_baseline, render_check
    from nnbench.results import load_tables
    from nnbench.scores import metric_info

    metric_info(args.metric)
    baseline = read_baseline(args.baseline)
    tables = load_tables(*args.run_dir)
    table = tables.classes
    tolerances = Tolerances(
        abs_tol=args.abs_tol,
        class_abs_tol=args.class_abs_tol,
        k=args.k,
        max_slowdown=args.max_slowdown,
        max_memory_growth=args.max_memory_growth,
        allow_protocol_change=args.allow_protocol_change,
        metric=args.metric,
    )
    rows = check(baseline, tables, tolerances)
    print(render_check(rows, baseline, str(args.baseline), table, tolerances), end="")
    if args.junit:
        properties = {"baseline": str(args.baseline), "runs": " ".join(map(str, args.run_dir))}
        with writing("--junit", args.junit):
            atomic_write_text(
                args.junit, junit_xml(rows, f"nnbench check {args.baseline}", properties)
            )
        print(f"nnbench: wrote {args.junit}", file=sys.stderr)
    return exit_status(rows)


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "check",
        help="compare a run against a baseline: exit 1 on a regression",
        description="Fail (exit 1) when a cell's test accuracy falls below the baseline's mean "
        "- max(abs_tol, k*sd), or a class's below mean - max(class_abs_tol, k*sd); when a "
        "baseline cell is missing or failed; when its protocol changed; and, when asked, when "
        "its time or peak memory grew too far. Improvements never fail. Exit 2 on bad input.",
    )
    parser.add_argument("run_dir", type=Path, nargs="+", metavar="RUN_DIR")
    parser.add_argument("--baseline", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--abs-tol",
        type=unit_interval,
        default=0.005,
        metavar="T",
        help="least allowed drop of test accuracy (default %(default)s)",
    )
    parser.add_argument(
        "--class-abs-tol",
        type=unit_interval,
        default=0.02,
        metavar="T",
        help="least allowed drop of a class's test accuracy (default %(default)s)",
    )
    parser.add_argument(
        "--k",
        type=non_negative_float,
        default=3.0,
        help="allowed drop in baseline standard deviations over seeds (default %(default)s)",
    )
    parser.add_argument(
        "--max-slowdown",
        type=positive_float,
        metavar="X",
        help="fail when fit or predict time exceeds X times the baseline's (default: not gated)",
    )
    parser.add_argument(
        "--max-memory-growth",
        type=positive_float,
        metavar="X",
        help="fail when a cell's peak memory exceeds X times the baseline's (default: not "
        "gated; the baseline must hold peak memory, from nnbench 0.7 results)",
    )
    parser.add_argument(
        "--allow-protocol-change",
        action="store_true",
        help="compare cells whose parameters or data sizes differ from the baseline's",
    )
    parser.add_argument(
        "--metric",
        default="accuracy",
        metavar="NAME",
        help="the test metric to gate on, as the baseline holds it: accuracy (default), "
        "balanced_accuracy, macro_f1, log_loss, brier, ece, top2_accuracy, roc_auc; for a loss, "
        "a rise is the regression",
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    parser.set_defaults(handler=gate)
