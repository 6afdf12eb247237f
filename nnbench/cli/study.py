"""``nnbench study NAME``: run one of the lecture's claims as a study, and write its report."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from nnbench.cli.common import data_dir, flag_type, names
from nnbench.options import key_value

if TYPE_CHECKING:
    from nnbench.studies.study import Study
    from nnbench.suite import Suite


def plan_suite(args: argparse.Namespace) -> tuple[Study, Suite]:
    """The study's suite, and the datasets to run: ``--dataset``, whose names the suite does
    not list get the tables of its first dataset; else the suite's, each replaced by the
    study's fallback when it is not available here."""
    from nnbench import progress
    from nnbench.datasets import get_dataset, resolve_dataset_path
    from nnbench.studies import get_study
    from nnbench.suite import load_suite

    study = get_study(args.name)
    suite = load_suite(study.suite)
    first = next(iter(suite.protocol))
    if args.dataset:
        added = {
            resolve_dataset_path(name): suite.protocol[first]
            for name in args.dataset
            if resolve_dataset_path(name) not in suite.protocol
        }
        return study, dataclasses.replace(suite, protocol={**suite.protocol, **added})
    datasets = []
    for name in suite.default_datasets:
        fallback = study.fallbacks.get(name)
        reason = get_dataset(name).unavailable_reason(data_dir(args)) if fallback else None
        if reason:
            progress.info(
                f"nnbench: {name} is not available, so {fallback} runs instead ({reason})"
            )
        datasets.append(fallback if fallback and reason else name)
    return study, dataclasses.replace(suite, default_datasets=tuple(datasets))


def run_study(args: argparse.Namespace) -> int:
    """Plan the study's cells, run them, and write its report."""
    from nnbench.cli.run import execute

    study, suite = plan_suite(args)
    return execute(args, suite, models=None, study=study)


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``nnbench study``."""
    from nnbench.cli.flags import plan_flags
    from nnbench.studies import STUDIES

    entries = STUDIES.entries()
    listing = "\n".join(f"  {entry.name:<12} {entry.description}" for entry in entries)
    parser = verbs.add_parser(
        "study",
        parents=[plan_flags()],
        help="run one of the lecture's claims as a study, and write its report",
        description="Run a study's cells (its suite: grids and named variants of models) and "
        "write its report (its own tables and plots) into the run folder. Re-report a study's "
        "run folder with `nnbench report DIR`; continue it with --resume DIR.",
        epilog=f"studies:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "name", choices=[entry.name for entry in entries], metavar="NAME", help="the study"
    )
    parser.add_argument(
        "--dataset",
        type=names,
        metavar="D[,D2]",
        help="run the study on these datasets (default: the study's own); a dataset the study "
        "does not list gets the protocol of its first",
    )
    parser.add_argument(
        "--param",
        type=flag_type(key_value),
        action="append",
        metavar="KEY=VALUE",
        help="set a parameter of every model of the study (the autodiff probe's budget_s, "
        "say); VALUE is a TOML literal (repeatable)",
    )
    parser.set_defaults(handler=run_study)
