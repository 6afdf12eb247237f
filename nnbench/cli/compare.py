"""``nnbench compare``: paired tests between the models of a run, or between the same cells of
two runs, from their stored per-image predictions (exit 1 with ``--fail-if-worse`` when a
model is significantly worse)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from nnbench.cli.common import EXIT_FAILED, EXIT_OK, open_unit_interval

if TYPE_CHECKING:  # pandas and the tables load only when the verb runs
    from nnbench.stats import CellSummary


def cells_of(run_dir: Path) -> list[CellSummary]:
    """The run's cells, pooled over seeds."""
    from nnbench.results import load
    from nnbench.stats import summarise

    return summarise(load(run_dir))


def check_reference(cells: list[CellSummary], reference: str) -> None:
    """ConfigError unless some dataset of the run has a model labelled ``reference``."""
    from nnbench.errors import ConfigError
    from nnbench.presentation import label_cells
    from nnbench.registry import unknown

    labels = sorted(
        {
            label
            for dataset in {cell.dataset for cell in cells}
            for label in label_cells([c for c in cells if c.dataset == dataset]).values()
        }
    )
    if reference not in labels:
        raise ConfigError(f"--reference: {unknown('model', reference, labels)}")


def compare(args: argparse.Namespace) -> int:
    from nnbench.compare import compare_pairings, pairings_across, pairings_within, worse
    from nnbench.presentation import markdown_table
    from nnbench.report.evidence import METHOD, paired_table

    cells = cells_of(args.run_dir)
    if args.against is not None:
        pairings = pairings_across(cells, cells_of(args.against))
    else:
        if args.reference is not None:
            check_reference(cells, args.reference)
        pairings = pairings_within(cells, reference=args.reference)
    results = compare_pairings(pairings, args.alpha)
    if args.json:
        print(json.dumps([result.record() for result in results], indent=2))
    else:
        if args.against is not None:
            print(f"{args.run_dir} (model) against {args.against} (reference)")
        for dataset in dict.fromkeys(result.dataset for result in results):
            print(f"\n{dataset}:\n")
            print(markdown_table(paired_table([r for r in results if r.dataset == dataset])))
        print("\n" + METHOD.format(alpha=args.alpha) if results else "nothing to compare")
    return EXIT_FAILED if args.fail_if_worse and worse(results) else EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verbs.add_parser(
        "compare",
        help="paired tests between models: is a difference real?",
        description="Compare models image by image on the same test images and seed: the "
        "accuracy difference with its paired bootstrap interval, the discordant counts b and "
        "c, McNemar's exact p, Holm's adjusted p, and a verdict (better, worse, no detectable "
        "difference). Within one run: every pair of models, or each against --reference. With "
        "--against: each cell against the same cell (dataset, model, seed) of another run. "
        "Exit 1 with --fail-if-worse when a model is significantly worse; exit 2 on bad input.",
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--reference", metavar="MODEL", help="compare every model with this one (its label)"
    )
    mode.add_argument(
        "--against",
        type=Path,
        metavar="BASE_RUN",
        help="compare each cell with the same cell of this run (a pull request against main)",
    )
    parser.add_argument(
        "--alpha",
        type=open_unit_interval,
        default=0.05,
        help="significance level of the verdicts (default %(default)s)",
    )
    parser.add_argument(
        "--fail-if-worse",
        action="store_true",
        help="exit 1 when a model is significantly worse than its reference",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON record per comparison (see docs/statistics.md)",
    )
    parser.set_defaults(handler=compare)
