"""Datasets, found by name. ``idx:PATH`` names any folder of MNIST-format files."""

from __future__ import annotations

from nnbench.datasets.base import Dataset, ImageData
from nnbench.errors import UnknownNameError
from nnbench.registry import Registry

__all__ = ["DATASETS", "IDX_PREFIX", "Dataset", "ImageData", "check_dataset_name", "get_dataset"]

IDX_PREFIX = "idx:"

DATASETS = Registry("dataset")
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


def check_dataset_name(name: str) -> None:
    """Raise UnknownNameError unless ``name`` is a registered dataset or ``idx:PATH``."""
    if name.startswith(IDX_PREFIX) or name in DATASETS:
        return
    raise UnknownNameError(
        f"{DATASETS.unknown_message(name)} "
        f"Or name a folder of MNIST-format files as '{IDX_PREFIX}PATH'."
    )


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``; ``idx:PATH`` reads a folder of MNIST-format files."""
    check_dataset_name(name)
    if name.startswith(IDX_PREFIX):
        from nnbench.datasets.idx import IdxFolder

        return IdxFolder(name[len(IDX_PREFIX) :])
    return DATASETS.get(name)()
