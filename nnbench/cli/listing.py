"""``nnbench list``: the models and datasets, with where plugins come from. Imports nothing
heavy: plugins are read from package metadata, not imported."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from nnbench.cli.common import EXIT_OK
from nnbench.registry import BUILT_IN, Entry

YOUR_MODELS = [
    (
        "FILE.py:NAME",
        "Your own model in a file: a subclass of nnbench.models.Model, a scikit-learn "
        "classifier class, or a function (input_shape, n_classes, **params) -> keras.Model.",
    ),
    (
        "MODULE:NAME",
        "The same from an importable module, e.g. sklearn.ensemble:ExtraTreesClassifier.",
    ),
]


def rows(entries: Iterable[Entry]) -> list[tuple[str, str]]:
    """(name, description) of registry entries; a plugin's also names its target."""
    return [
        (entry.name, entry.description + ("" if entry.origin == BUILT_IN else f" ({entry.target})"))
        for entry in entries
    ]


def print_section(title: str, found: list[tuple[str, str]]) -> None:
    """A heading and one aligned line per (name, description)."""
    width = max(len(name) for name, _ in found) + 2
    print(f"{title}:")
    for name, description in found:
        print(f"  {name:<{width}}{description}")


def list_everything(args: argparse.Namespace) -> int:
    from nnbench.datasets import DATASETS, FAMILIES
    from nnbench.models import MODELS

    print_section("Models", [*rows(MODELS), *YOUR_MODELS])
    families = [(f"{entry.name}:PATH", entry.description) for entry in FAMILIES]
    print_section("Datasets", [*rows(DATASETS), *families])
    return EXIT_OK


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = verbs.add_parser(
        "list",
        help="list models and datasets, plugins included",
        description="List the registered and plugin models and datasets, and how to name your own.",
    )
    listing.set_defaults(handler=list_everything)
