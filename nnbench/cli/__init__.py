"""Command line: one module per verb, each adding its parser; this module maps errors to exit
codes in one place. Verbs import heavy libraries only when they run.

Exit status: 0 success; 1 a model failed on good data, or a check found a regression; 2 bad
input: a flag, a name, a configuration, or data that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from nnbench import __version__
from nnbench.cli import (
    baseline,
    check,
    compare,
    data,
    export,
    history,
    listing,
    report,
    run,
    study,
)
from nnbench.cli.common import EXIT_BAD_INPUT
from nnbench.errors import NNBenchError

VERBS = (run, study, listing, data, report, baseline, check, compare, history, export)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every verb."""
    parser = argparse.ArgumentParser(
        prog="nnbench",
        description="Compare naive Bayes, a LASSO logit, a dense net, a CNN and your own models "
        "on image data.",
    )
    parser.add_argument("--version", action="version", version=f"nnbench {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb in VERBS:
        verb.add_parsers(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``nnbench`` and ``python -m nnbench``."""
    args = build_parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler  # each verb sets one
        return handler(args)
    except (NNBenchError, OSError) as exc:
        print(f"nnbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nnbench: interrupted", file=sys.stderr)
        return 130
