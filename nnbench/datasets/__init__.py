"""Datasets, found by name, plugin or path.

- a registered name: ``mnist``, ``candidates``, ``faces-synthetic``;
- an installed plugin: an entry point of the group ``nnbench.datasets`` naming a
  :class:`Dataset` subclass (made with no arguments);
- your own files: ``folder:PATH`` (a folder per class), ``npz:FILE`` (a NumPy archive) or
  ``idx:PATH`` (the four MNIST-format files).
"""

from __future__ import annotations

from pathlib import Path

from nnbench.datasets.base import Dataset, ImageData
from nnbench.errors import ConfigError, UnknownNameError
from nnbench.references import shown_path
from nnbench.registry import Registry

__all__ = [
    "DATASETS",
    "Dataset",
    "ImageData",
    "get_dataset",
]

ENTRY_POINT_GROUP = "nnbench.datasets"

DATASETS = Registry("dataset", group=ENTRY_POINT_GROUP)
DATASETS.register(
    "mnist",
    "nnbench.datasets.mnist:Mnist",
    "MNIST handwritten digits: 60k train, 10k test, 28x28 grey, 10 classes (checksum-verified).",
)
DATASETS.register(
    "candidates",
    "nnbench.datasets.candidates:Candidates",
    "Photos of political candidates (Project Vote Smart), 135x110 colour, Female/Male; "
    "built with `nnbench data build candidates` or arranged from your own copy.",
)
DATASETS.register(
    "faces-synthetic",
    "nnbench.datasets.faces_synthetic:FacesSynthetic",
    "SYNTHETIC stand-in for the candidate photos: same shape and split sizes (35,935 / 4,997), "
    "generated from a seed.",
)

#: dataset families that read a path: ``PREFIX:PATH``
FAMILIES = Registry("dataset family")
FAMILIES.register(
    "folder",
    "nnbench.datasets.folder:ImageFolder",
    "PATH/train/<class>/ and PATH/test/<class>/ of PNG or JPEG images, grey or colour.",
)
FAMILIES.register(
    "npz",
    "nnbench.datasets.npz:NpzFile",
    "A NumPy archive: uint8 x_train, x_test; integer y_train, y_test; optional class_names.",
)
FAMILIES.register(
    "idx",
    "nnbench.datasets.idx:IdxFolder",
    "A folder of the four MNIST-format IDX files, each optionally gzipped.",
)
PATH_HINT = "Or name your own data as folder:PATH, npz:FILE or idx:PATH."


def check_dataset_name(name: str) -> None:
    """Raise UnknownNameError unless ``name`` is a known dataset or ``FAMILY:PATH``."""
    family, colon, path = name.partition(":")
    if colon:
        if not path:
            raise UnknownNameError(f"Dataset {name!r} names no path; write {family}:PATH.")
        FAMILIES.entry(family)
    elif name not in DATASETS:
        raise UnknownNameError(f"{DATASETS.unknown_message(name)} {PATH_HINT}")


def resolve_dataset_path(name: str, base: Path | None = None) -> str:
    """``FAMILY:PATH`` with PATH made :func:`~nnbench.references.shown_path` (relative to
    ``base``, a suite's folder, when it is relative); other names as they are."""
    family, colon, path = name.partition(":")
    return f"{family}:{shown_path(path, base)}" if colon and path else name


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``; ``FAMILY:PATH`` reads your own files."""
    check_dataset_name(name)
    family, colon, _ = name.partition(":")
    found = FAMILIES.get(family)(name) if colon else DATASETS.get(name)
    dataset = found() if isinstance(found, type) and issubclass(found, Dataset) else found
    if not isinstance(dataset, Dataset):
        raise ConfigError(
            f"The dataset plugin {name!r} gives {dataset!r}, not a subclass of "
            "nnbench.datasets.Dataset. Fix the plugin's entry point."
        )
    return dataset
