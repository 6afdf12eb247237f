"""``nnbench data fetch NAME`` and ``nnbench data build NAME [OPTIONS]``. A dataset that is
built declares its own options; this module knows no dataset by name."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from nnbench.cli.common import EXIT_OK, data_dir, data_flags, option_arguments

if TYPE_CHECKING:
    from nnbench.datasets import ImageData


def fetch(args: argparse.Namespace) -> int:
    """Fetch (or check) the dataset, then print what it holds and where nnbench keeps it."""
    from nnbench.datasets import get_dataset

    dataset = get_dataset(args.name)
    folder = dataset.fetch(data_dir(args), force=args.force)
    data = dataset.load(data_dir(args))
    print(data_summary(args.name, data, dataset.stored_at(data_dir(args)) or folder))
    return EXIT_OK


def data_summary(name: str, data: ImageData, stored: Path) -> str:
    """A dataset's classes with their images per split, its image size and channels, and
    where its files or decoded images are, as Markdown."""
    import numpy as np

    from nnbench.presentation import Table, markdown_table

    height, width, channels = data.input_shape
    counts = {
        split: np.bincount(labels, minlength=len(data.class_names))
        for split, labels in (("train", data.y_train), ("test", data.y_test))
    }
    rows = [
        [label, *(f"{int(counts[split][index]):,}" for split in counts)]
        for index, label in enumerate(data.class_names)
    ]
    rows.append(["all", *(f"{int(counts[split].sum()):,}" for split in counts)])
    kind = {1: "grey", 3: "colour (RGB)"}.get(channels, "")
    title = f"{name} (SYNTHETIC data)" if data.synthetic else name
    return (
        f"{title}: {len(data.class_names)} classes; images {height} x {width} pixels, "
        f"{channels} channel{'s' if channels != 1 else ''}{f' ({kind})' if kind else ''}; "
        f"stored in {stored}\n\n" + markdown_table(Table(["class", "train", "test"], rows, "lrr"))
    )


def build(args: argparse.Namespace) -> int:
    """Parse the dataset's own options, then build it and print what the build returns."""
    from nnbench.datasets import get_dataset
    from nnbench.errors import ConfigError

    dataset = get_dataset(args.name)
    if not dataset.buildable:
        raise ConfigError(
            f"Dataset {args.name!r} is downloaded, not built: run `nnbench data fetch {args.name}`."
        )
    parser = argparse.ArgumentParser(
        prog=f"nnbench data build {args.name}",
        parents=[data_flags()],
        description=f"Build the dataset {args.name}.",
    )
    option_arguments(parser, dataset.build_options)
    given = vars(parser.parse_args(args.options))
    folder = data_dir(argparse.Namespace(data_dir=given.pop("data_dir") or args.data_dir))
    print(json.dumps(dataset.build(folder, **given), indent=2))
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    data = verbs.add_parser("data", help="fetch, check or build datasets")
    actions = data.add_subparsers(dest="data_verb", required=True, metavar="ACTION")
    fetching = actions.add_parser(
        "fetch",
        parents=[data_flags()],
        help="download and verify a dataset, or check your own",
        description="Fetch a dataset into the data folder, verifying checksums; for folder:, "
        "npz: and idx: data, read and check it (and cache decoded images).",
    )
    fetching.add_argument("name", help="dataset name, e.g. mnist, or folder:PATH")
    fetching.add_argument("--force", action="store_true", help="fetch again even if files exist")
    fetching.set_defaults(handler=fetch)
    building = actions.add_parser(
        "build",
        parents=[data_flags()],
        help="build a dataset that is made rather than downloaded (candidates, faces-synthetic)",
        description="Build a dataset that is made rather than downloaded. Each such dataset "
        "has options of its own: `nnbench data build NAME --help` lists them.",
    )
    building.add_argument("name", help="the dataset, e.g. candidates or faces-synthetic")
    building.add_argument(
        "options", nargs=argparse.REMAINDER, help="the dataset's own options (see NAME --help)"
    )
    building.set_defaults(handler=build)
