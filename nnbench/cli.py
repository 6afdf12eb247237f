"""Command line: verbs, flags, exit codes. Verbs import heavy libraries only when they run.

Exit status: 0 success, 1 a cell failed, 2 bad input or unavailable data.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from nnbench import __version__
from nnbench.errors import NNBenchError

DATA_ENV = "NNBENCH_DATA"
API_KEY_ENV = "VOTESMART_API_KEY"
EXIT_OK, EXIT_CELL_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def names(text: str) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not found:
        raise argparse.ArgumentTypeError("expected one or more comma-separated names")
    return found


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type for integers of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def positive_float(text: str) -> float:
    """An argparse type for numbers above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    return value


def data_dir(args: argparse.Namespace) -> Path:
    """``--data-dir``, else $NNBENCH_DATA, else ``data/`` in the working directory."""
    return Path(args.data_dir or os.environ.get(DATA_ENV) or "data")


def execute(args: argparse.Namespace, datasets: list[str] | None, models: list[str] | None) -> int:
    """Build the cells, run them, print and store the tables."""
    from nnbench.datasets import get_dataset
    from nnbench.errors import DataUnavailableError
    from nnbench.report import render_report, write_report
    from nnbench.runner import build_cells, default_run_dir, run_cells
    from nnbench.suite import load_suite

    suite = load_suite(args.suite)
    for name in datasets or ():  # a dataset asked for by name must be there
        reason = get_dataset(name).unavailable_reason(data_dir(args))
        if reason:
            raise DataUnavailableError(reason)
    cells = build_cells(
        suite, datasets, models, seeds=[args.seed], epochs=args.epochs, subset=args.subset
    )
    if not cells:
        print(f"nnbench: suite {args.suite} lists no models for these datasets.", file=sys.stderr)
        return EXIT_BAD_INPUT
    run_dir = args.out or default_run_dir()
    print(f"nnbench: {len(cells)} cells; results go to {run_dir}", file=sys.stderr)
    results = run_cells(cells, data_dir(args), run_dir)
    report_path = write_report(results, run_dir)
    print(render_report(results), end="")
    print(f"nnbench: wrote {len(results)} result files and {report_path}", file=sys.stderr)
    failed = any(result["status"] == "failed" for result in results)
    return EXIT_CELL_FAILED if failed else EXIT_OK


def cmd_all(args: argparse.Namespace) -> int:
    return execute(args, datasets=args.dataset, models=None)


def cmd_run(args: argparse.Namespace) -> int:
    return execute(args, datasets=args.dataset, models=args.model)


def cmd_list(args: argparse.Namespace) -> int:
    from nnbench.datasets import DATASETS, IDX_PREFIX
    from nnbench.models import MODELS

    print("Models:")
    for entry in MODELS:
        print(f"  {entry.name:<14} {entry.description}")
    print("Datasets:")
    for entry in DATASETS:
        print(f"  {entry.name:<14} {entry.description}")
    print(f"  {IDX_PREFIX + 'PATH':<14} Any folder of the four MNIST-format IDX files.")
    return EXIT_OK


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from nnbench.datasets import get_dataset

    folder = get_dataset(args.name).fetch(data_dir(args), force=args.force)
    print(folder)
    return EXIT_OK


def cmd_data_build(args: argparse.Namespace) -> int:
    from nnbench.datasets import check_dataset_name
    from nnbench.errors import ConfigError

    if args.name == "candidates":
        from nnbench.datasets.candidates import Candidates
        from nnbench.datasets.votesmart import DEFAULT_API_URL, BuildScope, build_candidates

        folder = Candidates().folder(data_dir(args))
        manifest = build_candidates(
            folder,
            args.api_key or os.environ.get(API_KEY_ENV),
            BuildScope(
                states=tuple(args.state) if args.state else None,
                years=tuple(args.year or ()),
                offices=tuple(args.office or ()),
            ),
            api_url=args.api_url or DEFAULT_API_URL,
            rate_limit=args.rate_limit,
            timeout=args.timeout,
            retries=args.retries,
        )
        print(json.dumps({"folder": str(folder), "counts": manifest["counts"]}, indent=2))
        return EXIT_OK
    if args.name == "faces-synthetic":
        from nnbench.datasets.faces_synthetic import FacesSynthetic

        print(FacesSynthetic().build(data_dir(args), force=args.force))
        return EXIT_OK
    check_dataset_name(args.name)
    raise ConfigError(
        f"Dataset {args.name!r} is downloaded, not built: run `nnbench data fetch {args.name}`."
    )


def cmd_report(args: argparse.Namespace) -> int:
    from nnbench.report import render_report
    from nnbench.results import read_run

    print(render_report(read_run(args.run_dir)), end="")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The parser for every verb."""
    from nnbench.suite import DEFAULT_SUITE

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", metavar="DIR", help=f"data folder (default: ${DATA_ENV}, else ./data)"
    )
    running = argparse.ArgumentParser(add_help=False, parents=[common])
    running.add_argument(
        "--suite",
        type=Path,
        default=DEFAULT_SUITE,
        metavar="FILE",
        help="suite file with each model's parameters per dataset (default: %(default)s)",
    )
    running.add_argument("--seed", type=whole_number(0), default=0, help="random seed (default 0)")
    running.add_argument(
        "--epochs", type=whole_number(0), metavar="E", help="override epochs of the neural nets"
    )
    running.add_argument(
        "--subset",
        type=whole_number(1),
        metavar="N",
        help="use only the first N training and first N test images (quick checks)",
    )
    running.add_argument(
        "--out", type=Path, metavar="DIR", help="run folder (default: results/runs/<timestamp>)"
    )

    parser = argparse.ArgumentParser(
        prog="nnbench",
        description="Compare naive Bayes, a LASSO logit, a dense net and a CNN on image data.",
    )
    parser.add_argument("--version", action="version", version=f"nnbench {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    run_all = verbs.add_parser(
        "all",
        parents=[running],
        help="run every model of the suite on every dataset",
        description="Run every model the suite lists on every dataset it lists.",
    )
    run_all.add_argument("--dataset", type=names, metavar="D[,D2]", help="only these datasets")
    run_all.set_defaults(handler=cmd_all)

    run = verbs.add_parser(
        "run",
        parents=[running],
        help="run chosen models on chosen datasets",
        description="Run models on datasets; parameters come from the suite where it lists the "
        "pair, else from each model's defaults.",
    )
    run.add_argument("--model", type=names, required=True, metavar="M[,M2]")
    run.add_argument(
        "--dataset",
        type=names,
        required=True,
        metavar="D[,D2]",
        help="dataset names, or idx:PATH for a folder of MNIST-format files",
    )
    run.set_defaults(handler=cmd_run)

    listing = verbs.add_parser("list", help="list models and datasets")
    listing.set_defaults(handler=cmd_list)

    data = verbs.add_parser("data", help="manage datasets")
    data_verbs = data.add_subparsers(dest="data_verb", required=True, metavar="ACTION")
    fetch = data_verbs.add_parser(
        "fetch",
        parents=[common],
        help="download and verify a dataset",
        description="Fetch a dataset into the data folder, verifying checksums.",
    )
    fetch.add_argument("name", help="dataset name, e.g. mnist")
    fetch.add_argument("--force", action="store_true", help="fetch again even if files exist")
    fetch.set_defaults(handler=cmd_data_fetch)
    add_build_parser(data_verbs, common)

    report = verbs.add_parser(
        "report",
        help="print the tables of a finished run",
        description="Print the tables again from a run folder's result files; nothing is rerun.",
    )
    report.add_argument("run_dir", type=Path, metavar="DIR")
    report.set_defaults(handler=cmd_report)
    return parser


def add_build_parser(
    data_verbs: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """``nnbench data build NAME``: the candidate photos from Vote Smart, or the synthetic faces."""
    build = data_verbs.add_parser(
        "build",
        parents=[common],
        help="build a dataset: candidates (Vote Smart API) or faces-synthetic",
        description="Build `candidates` from the Project Vote Smart API (key in "
        f"${API_KEY_ENV} or --api-key; resumable), or generate `faces-synthetic`.",
    )
    build.add_argument("name", help="candidates or faces-synthetic")
    build.add_argument("--force", action="store_true", help="faces-synthetic: generate again")
    vote_smart = build.add_argument_group("candidates (Project Vote Smart)")
    vote_smart.add_argument(
        "--api-key", metavar="KEY", help=f"Vote Smart API key (default: ${API_KEY_ENV})"
    )
    vote_smart.add_argument(
        "--state", type=names, metavar="XX[,YY]", help="two-letter states (default: all)"
    )
    vote_smart.add_argument(
        "--year",
        type=lambda text: [whole_number(1900)(part) for part in names(text)],
        metavar="YYYY[,YYYY]",
        help="candidates of the elections of these years",
    )
    vote_smart.add_argument(
        "--office", type=names, metavar="ID[,ID]", help="candidates for these Vote Smart office ids"
    )
    vote_smart.add_argument(
        "--rate-limit",
        type=positive_float,
        default=2.0,
        metavar="R",
        help="at most R requests per second (default %(default)s)",
    )
    vote_smart.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="S",
        help="seconds before a request times out (default %(default)s)",
    )
    vote_smart.add_argument(
        "--retries",
        type=whole_number(0),
        default=3,
        metavar="N",
        help="retries of a failed request, with backoff (default %(default)s)",
    )
    vote_smart.add_argument(
        "--api-url", metavar="URL", help="API root (default: the public Vote Smart API)"
    )
    build.set_defaults(handler=cmd_data_build)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``nnbench`` and ``python -m nnbench``."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (NNBenchError, OSError) as exc:
        print(f"nnbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nnbench: interrupted", file=sys.stderr)
        return 130
