"""``nnbench history``: the metric and fit time of each (dataset, model) commit by commit, from
the run folders under some paths, with the commits where they step."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nnbench.cli.common import EXIT_OK, flag_type, open_unit_interval


def ratio_above_one(text: str) -> float:
    """A ratio greater than 1, such as 1.2."""
    value = float(text)
    if not value > 1 or value == float("inf"):
        raise ValueError(f"must be a ratio greater than 1, such as 1.2, got {text}")
    return value


def history(args: argparse.Namespace) -> int:
    from nnbench.history.detect import DEFAULT_PATH, build_history
    from nnbench.history.render import history_markdown, write_history

    found = build_history(
        args.paths or [DEFAULT_PATH], args.since, args.metric, args.alpha, args.time_ratio
    )
    print(history_markdown(found), end="")
    if args.output is not None:
        written = write_history(found, args.output)
        print(f"nnbench: wrote {len(written)} files to {args.output}", file=sys.stderr)
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "history",
        help="the metric and fit time commit by commit, and where they step",
        description="Read every run folder under PATH (default results/runs), pool the results "
        "of each (dataset, model, protocol) made at one commit, order the commits by git "
        "history (inside a repository) or start time, and print per series a table: commit, "
        "test metric ± 95% interval, results, fit time, and the steps: where the metric or "
        "the fit time changes beyond noise (see docs/history.md). With --output, also write "
        "history.md, history.html and a plot per series. Exit 2 on bad input.",
    )
    parser.add_argument("paths", type=Path, nargs="*", metavar="PATH")
    parser.add_argument(
        "--since", metavar="REV", help="only commits after this one (a hash, branch or tag)"
    )
    parser.add_argument(
        "--metric",
        default="accuracy",
        metavar="NAME",
        help="the test metric to follow, such as macro_f1 or log_loss (default %(default)s; "
        "see docs/statistics.md)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="DIR", help="write history.md, history.html and plots/"
    )
    parser.add_argument(
        "--time-ratio",
        type=flag_type(ratio_above_one),
        default=1.2,
        metavar="X",
        help="a fit-time step needs this ratio to the level before, either way "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--alpha",
        type=open_unit_interval,
        default=0.05,
        help="false-alarm rate of each series' steps (default %(default)s)",
    )
    parser.set_defaults(handler=history)
