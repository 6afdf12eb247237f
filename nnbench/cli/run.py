"""``nnbench all`` and ``nnbench run``: plan the cells, run them, write and print the report."""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nnbench.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    data_dir,
    flag_type,
    names,
    seeds,
)
from nnbench.errors import ConfigError
from nnbench.options import key_value, model_names
from nnbench.progress import counted
from nnbench.quiet import quiet_tensorflow

if TYPE_CHECKING:
    from nnbench.plan import Cell
    from nnbench.results import ResultDoc
    from nnbench.schemas.result_types import Params
    from nnbench.studies.study import Study
    from nnbench.suite import Suite


def run_suite(args: argparse.Namespace, models: list[str] | None) -> int:
    """``all`` and ``run``: the cells of ``--suite``."""
    from nnbench.suite import load_suite

    return execute(args, load_suite(args.suite), models)


def params_from(pairs: list[tuple[str, Any]] | None) -> Params:
    """``--param KEY=VALUE`` flags as a dict; a key given twice is refused."""
    found: Params = {}
    for key, value in pairs or ():
        if key in found:
            raise ConfigError(f"--param {key} is given twice; give it once.")
        found[key] = value
    return found


def exit_status(results: Sequence[ResultDoc]) -> int:
    """2 when a cell could not run on its input (unreadable data, a bad parameter), else 1 when
    a model failed, else 0."""
    from nnbench.schemas.result import BAD_INPUT

    bad_input = [r for r in results if r.get("error_kind") in BAD_INPUT]
    if bad_input:
        errors = dict.fromkeys(r["error"] for r in bad_input)  # one line per distinct error
        print(
            f"nnbench: {counted(len(bad_input), 'cell')} could not run on the input given "
            "(unreadable data or a bad parameter):\n" + "\n".join(f"  {error}" for error in errors),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return EXIT_FAILED if any(r["status"] == "failed" for r in results) else EXIT_OK


def execute(
    args: argparse.Namespace, suite: Suite, models: list[str] | None, study: Study | None = None
) -> int:
    """Build the cells of ``suite`` (``models``, else the suite's), run them, print and store
    the report: ``study``'s, else the lecture's comparison."""
    from nnbench.execute import check_executor_flags, make_executor
    from nnbench.report.publish import publish
    from nnbench.results import load_tables
    from nnbench.runner import default_run_dir, run_cells, run_summary, warning_lines
    from nnbench.studies import DEFAULT_STUDY, get_study

    started = time.monotonic()
    quiet_tensorflow(args.verbose)
    cells = planned_cells(args, suite, models)
    if not cells:
        print(f"nnbench: suite {suite.path} lists no models for these datasets.", file=sys.stderr)
        return EXIT_BAD_INPUT
    flags = (args.executor, args.jobs, args.workers, args.scheduler)
    check_executor_flags(*flags)
    if args.dry_run:
        from nnbench.cli.plan import print_plan

        print_plan(cells, data_dir(args))
        return EXIT_OK
    run_dir = args.resume or args.out or default_run_dir()
    results = run_cells(
        cells,
        data_dir(args),
        run_dir,
        resume=args.resume is not None,
        retries=args.retries,
        executor=functools.partial(make_executor, *flags),
        shared_data=args.executor != "dask",  # a cluster's workers prepare their own data
        study=study.name if study else None,
    )
    tables, targets = load_tables(run_dir), args.target or ()
    reporting = study or get_study(DEFAULT_STUDY)
    publish(
        lambda plots: reporting.report(tables, targets, plots), run_dir, None, None, flag="--out"
    )
    elapsed = time.monotonic() - started
    for line in [*warning_lines(results), run_summary(results, elapsed, run_dir)]:
        print(line, file=sys.stderr)
    return exit_status(results)


def planned_cells(args: argparse.Namespace, suite: Suite, models: list[str] | None) -> list[Cell]:
    """The cells the flags ask for; DataUnavailableError when a dataset named by ``--dataset``
    is not there."""
    from nnbench.datasets import get_dataset
    from nnbench.errors import DataUnavailableError
    from nnbench.plan import build_cells

    for name in args.dataset or ():  # a dataset asked for by name must be there
        reason = get_dataset(name).unavailable_reason(data_dir(args))
        if reason:
            raise DataUnavailableError(reason)
    return build_cells(
        suite,
        args.dataset,
        models,
        seeds=seeds(args),
        overrides=overrides(args),
        subset=args.subset,
        params=params_from(getattr(args, "param", None)),
        image_size=args.image_size,
        data_dir=data_dir(args),
        validation=args.validation,
        timeout=args.timeout,
    )


def overrides(args: argparse.Namespace) -> dict[str, Any] | None:
    """What ``--epochs`` and ``--precision`` set, for the models that take them."""
    chosen = {"epochs": args.epochs, "precision": args.precision}
    return {name: value for name, value in chosen.items() if value is not None} or None


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``nnbench all`` and ``nnbench run``."""
    from nnbench.cli.flags import running_flags

    running = running_flags()
    every = verbs.add_parser(
        "all",
        parents=[running],
        help="run every model of the suite on every dataset",
        description="Run every model the suite lists on every dataset it lists.",
    )
    every.add_argument("--dataset", type=names, metavar="D[,D2]", help="only these datasets")
    every.set_defaults(handler=lambda args: run_suite(args, models=None))

    chosen = verbs.add_parser(
        "run",
        parents=[running],
        help="run chosen models on chosen datasets",
        description="Run models on datasets; parameters come from the suite where it lists the "
        "pair, else from each model's defaults, and --param overrides both.",
    )
    chosen.add_argument(
        "--model",
        type=flag_type(model_names),
        required=True,
        metavar="M[,M2]",
        help="model names, or your own: path/to/file.py:NAME or package.module:NAME; "
        "'M[KEY=VALUE, ...]' gives parameters to that model only, as in "
        "'sklearn.neighbors:KNeighborsClassifier[n_neighbors=3]',naive_bayes",
    )
    chosen.add_argument(
        "--dataset",
        type=names,
        required=True,
        metavar="D[,D2]",
        help="dataset names, or your own data: folder:PATH, npz:FILE or idx:PATH",
    )
    chosen.add_argument(
        "--param",
        type=flag_type(key_value),
        action="append",
        metavar="KEY=VALUE",
        help="set a parameter of every --model (for one model only: --model 'M[KEY=VALUE]'); "
        'VALUE is a TOML literal: 50, 0.01, true, [64, 64], "text" (repeatable)',
    )
    chosen.set_defaults(handler=lambda args: run_suite(args, models=args.model))
