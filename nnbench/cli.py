"""Command line: verbs, flags, exit codes. Verbs import heavy libraries only when they run.

Exit status: 0 success, 1 a cell failed (or a check found a regression), 2 bad input or
unavailable data.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from nnbench import __version__
from nnbench.errors import NNBenchError

if TYPE_CHECKING:
    from nnbench.results import Tables

DATA_ENV = "NNBENCH_DATA"
API_KEY_ENV = "VOTESMART_API_KEY"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


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


def number_in(low: float, high: float = math.inf, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type for finite numbers from ``low`` (excluded when ``low_open``) to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        above = low < value if low_open else low <= value
        if not (above and value <= high and math.isfinite(value)):
            bound = f"above {low:g}" if low_open else f"at least {low:g}"
            upper = f" and at most {high:g}" if high < math.inf else ""
            raise argparse.ArgumentTypeError(f"must be a finite number {bound}{upper}, got {text}")
        return value

    return parse


positive_float = number_in(0, low_open=True)
non_negative_float = number_in(0)
unit_interval = number_in(0, 1)


def seed_list(text: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]``: whole numbers of at least 0."""
    return [whole_number(0)(part) for part in names(text)]


def seeds(args: argparse.Namespace) -> list[int]:
    """The seeds asked for by ``--seed``, ``--seeds`` or ``--repeats``; seed 0 by default."""
    if args.seeds:
        return args.seeds
    if args.repeats:
        return list(range(args.repeats))
    return [args.seed or 0]


def data_dir(args: argparse.Namespace) -> Path:
    """``--data-dir``, else $NNBENCH_DATA, else ``data/`` in the working directory."""
    return Path(args.data_dir or os.environ.get(DATA_ENV) or "data")


def execute(args: argparse.Namespace, datasets: list[str] | None, models: list[str] | None) -> int:
    """Build the cells, run them, print and store the tables."""
    from nnbench.datasets import get_dataset
    from nnbench.errors import DataUnavailableError
    from nnbench.results import load_tables
    from nnbench.runner import build_cells, default_run_dir, run_cells
    from nnbench.suite import load_suite

    suite = load_suite(args.suite)
    for name in datasets or ():  # a dataset asked for by name must be there
        reason = get_dataset(name).unavailable_reason(data_dir(args))
        if reason:
            raise DataUnavailableError(reason)
    cells = build_cells(
        suite, datasets, models, seeds=seeds(args), epochs=args.epochs, subset=args.subset
    )
    if not cells:
        print(f"nnbench: suite {args.suite} lists no models for these datasets.", file=sys.stderr)
        return EXIT_BAD_INPUT
    run_dir = args.out or default_run_dir()
    print(f"nnbench: {len(cells)} cells; results go to {run_dir}", file=sys.stderr)
    results = run_cells(cells, data_dir(args), run_dir)
    print(f"nnbench: wrote {len(results)} result files", file=sys.stderr)
    publish(load_tables(run_dir), args.target or (), run_dir, None, None, flag="--out")
    failed = any(result["status"] == "failed" for result in results)
    return EXIT_FAILED if failed else EXIT_OK


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


def publish(
    tables: Tables,
    targets: Sequence[float],
    folder: Path | None,
    format_name: str | None,
    output: str | None,
    flag: str = "--output",
) -> None:
    """Print and write the report of ``tables``.

    With no ``format_name``: every format and the plots go into ``output`` (a folder), else
    ``folder``, and the Markdown (report.md) is printed. With one: that format goes to the file
    ``output`` (a folder, existing or written with a trailing ``/``, gets its usual file name),
    with the plots beside it, or is printed when there is no ``output`` (Markdown and LaTeX then
    leave the plots out; HTML embeds them). A failure to write names ``flag``.
    """
    from nnbench.errors import ConfigError
    from nnbench.report.document import build_report
    from nnbench.report.output import render_text, write_report
    from nnbench.report.render import FORMATS

    printed_only = format_name in ("md", "latex") and output is None
    report = build_report(tables, targets, with_plots=not printed_only)
    if format_name is None:
        folder = Path(output) if output else folder
        if folder is None:
            raise ConfigError(
                "A report over several run folders needs --output DIR for its files "
                "(or --format FORMAT to print one format)."
            )
        files = {name: folder / file_name for name, file_name in FORMATS.items()}
        print(render_text(report, "md"), end="")
    elif output is None:
        print(render_text(report, format_name), end="")
        return
    else:
        as_folder = Path(output).is_dir() or output.endswith(("/", os.sep))
        files = {format_name: Path(output, FORMATS[format_name]) if as_folder else Path(output)}
    target = next(iter(files.values()))
    with writing(flag, target.parent if format_name is None else target):
        written = write_report(report, files)
    plots = sum(path.suffix == ".png" for path in written)
    names = ", ".join(str(path) for path in files.values())
    extra = f" and {plots} plots (PNG and SVG) in {written[0].parent}" if plots else ""
    print(f"nnbench: wrote {names}{extra}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from nnbench.results import load_tables

    tables = load_tables(*args.run_dir)
    only = args.run_dir[0] if len(args.run_dir) == 1 else None
    publish(tables, args.target or (), only, args.format, args.output)
    return EXIT_OK


@contextmanager
def writing(flag: str, path: Path) -> Iterator[None]:
    """Turn a failure to write the file of ``flag`` into bad input that names it."""
    from nnbench.errors import ConfigError

    try:
        yield
    except OSError as exc:
        raise ConfigError(
            f"Cannot write {flag} {path}: {exc.strerror or exc}. Choose a writable path."
        ) from exc


def cmd_baseline(args: argparse.Namespace) -> int:
    from nnbench.baseline import make_baseline, write_baseline
    from nnbench.check import Tolerances, baseline_summary
    from nnbench.results import load

    baseline = make_baseline(load(*args.run_dir), note=args.note)
    with writing("--out", args.out):
        write_baseline(baseline, args.out)
    print(baseline_summary(baseline, Tolerances()), end="")
    print(f"nnbench: wrote {args.out} ({len(baseline['cells'])} cells)", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from nnbench.baseline import read_baseline
    from nnbench.check import Tolerances, check, junit_xml, render_check
    from nnbench.files import atomic_write_text
    from nnbench.results import load

    baseline = read_baseline(args.baseline)
    table = load(*args.run_dir)
    tolerances = Tolerances(
        abs_tol=args.abs_tol,
        class_abs_tol=args.class_abs_tol,
        k=args.k,
        max_slowdown=args.max_slowdown,
        allow_protocol_change=args.allow_protocol_change,
    )
    rows = check(baseline, table, tolerances)
    print(render_check(rows, baseline, str(args.baseline), table, tolerances), end="")
    if args.junit:
        properties = {"baseline": str(args.baseline), "runs": " ".join(map(str, args.run_dir))}
        with writing("--junit", args.junit):
            atomic_write_text(
                args.junit, junit_xml(rows, f"nnbench check {args.baseline}", properties)
            )
        print(f"nnbench: wrote {args.junit}", file=sys.stderr)
    return EXIT_FAILED if any(row.failed for row in rows) else EXIT_OK


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
    seeding = running.add_mutually_exclusive_group()
    seeding.add_argument("--seed", type=whole_number(0), help="random seed (default 0)")
    seeding.add_argument(
        "--seeds",
        type=seed_list,
        metavar="S,S2,...",
        help="run every cell with each seed; tables show mean ± 95%% t-interval and n",
    )
    seeding.add_argument(
        "--repeats", type=whole_number(1), metavar="N", help="the same as --seeds 0,1,...,N-1"
    )
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
    targeting = argparse.ArgumentParser(add_help=False)
    targeting.add_argument(
        "--target",
        type=unit_interval,
        action="append",
        metavar="ACC",
        help="add a time-to-accuracy table: training time to this test accuracy (repeatable)",
    )

    parser = argparse.ArgumentParser(
        prog="nnbench",
        description="Compare naive Bayes, a LASSO logit, a dense net and a CNN on image data.",
    )
    parser.add_argument("--version", action="version", version=f"nnbench {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    run_all = verbs.add_parser(
        "all",
        parents=[running, targeting],
        help="run every model of the suite on every dataset",
        description="Run every model the suite lists on every dataset it lists.",
    )
    run_all.add_argument("--dataset", type=names, metavar="D[,D2]", help="only these datasets")
    run_all.set_defaults(handler=cmd_all)

    run = verbs.add_parser(
        "run",
        parents=[running, targeting],
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
        parents=[targeting],
        help="write the tables and plots of finished runs",
        description="Build the report from run folders' result files; nothing is rerun. Seeds "
        "of one cell are pooled (mean ± 95%% t-interval, n). By default every format "
        "(report.md, report.tex, report.html, report.csv) and the plots (plots/*.png, *.svg) "
        "go into the run folder, or --output DIR, and the Markdown is printed.",
    )
    report.add_argument("run_dir", type=Path, nargs="+", metavar="DIR")
    report.add_argument(
        "--format",
        choices=["md", "latex", "html", "csv"],
        help="only this format: printed, or written to --output FILE with the plots beside it",
    )
    report.add_argument(
        "--output",
        metavar="PATH",
        help="the folder for every format, or with --format the file (default: the run folder)",
    )
    report.set_defaults(handler=cmd_report)
    add_gate_parsers(verbs)
    return parser


def add_gate_parsers(verbs: argparse._SubParsersAction) -> None:
    """``nnbench baseline`` and ``nnbench check``: the accuracy-regression gate."""
    baseline = verbs.add_parser(
        "baseline",
        help="make a baseline file from one or more runs",
        description="Store, per (dataset, model), the mean and standard deviation over seeds of "
        "test accuracy, overall and per class, and of fit and predict time, with the protocol "
        "and the environment, for `nnbench check`.",
    )
    baseline.add_argument("run_dir", type=Path, nargs="+", metavar="RUN_DIR")
    baseline.add_argument("--out", type=Path, required=True, metavar="FILE", help="baseline file")
    baseline.add_argument("--note", metavar="TEXT", help="why and where it was made, stored in it")
    baseline.set_defaults(handler=cmd_baseline)

    gate = verbs.add_parser(
        "check",
        help="compare a run against a baseline: exit 1 on a regression",
        description="Fail (exit 1) when a cell's test accuracy falls below the baseline's mean "
        "- max(abs_tol, k*sd), or a class's below mean - max(class_abs_tol, k*sd); when a "
        "baseline cell is missing or failed; or when its protocol changed. Improvements never "
        "fail. Exit 2 on bad input.",
    )
    gate.add_argument("run_dir", type=Path, nargs="+", metavar="RUN_DIR")
    gate.add_argument("--baseline", type=Path, required=True, metavar="FILE")
    gate.add_argument(
        "--abs-tol",
        type=unit_interval,
        default=0.005,
        metavar="T",
        help="least allowed drop of test accuracy (default %(default)s)",
    )
    gate.add_argument(
        "--class-abs-tol",
        type=unit_interval,
        default=0.02,
        metavar="T",
        help="least allowed drop of a class's test accuracy (default %(default)s)",
    )
    gate.add_argument(
        "--k",
        type=non_negative_float,
        default=3.0,
        help="allowed drop in baseline standard deviations over seeds (default %(default)s)",
    )
    gate.add_argument(
        "--max-slowdown",
        type=positive_float,
        metavar="X",
        help="fail when fit or predict time exceeds X times the baseline's (default: not gated)",
    )
    gate.add_argument(
        "--allow-protocol-change",
        action="store_true",
        help="compare cells whose parameters or data sizes differ from the baseline's",
    )
    gate.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    gate.set_defaults(handler=cmd_check)


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
