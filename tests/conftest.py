"""Shared fixtures. MNIST is fetched the way a user fetches it, once, into the data folder."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from nnbench.datasets import ImageData, get_dataset
from nnbench.datasets.idx import (
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    encode_idx,
)
from nnbench.suite import Suite

REPO = Path(__file__).resolve().parent.parent

# The fuzz tests' profile: a fixed seed (derandomize) and no example database, so that CI runs
# the same examples every time, in well under a minute in all. HYPOTHESIS_PROFILE=deep runs
# many more, with a random seed, to hunt for new failures.
settings.register_profile(
    "ci",
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "deep", parent=settings.get_profile("ci"), max_examples=5000, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The data folder a user would get: $NNBENCH_DATA, else the repository's data/."""
    return Path(os.environ.get("NNBENCH_DATA") or REPO / "data")


@pytest.fixture(scope="session")
def mnist(data_dir: Path) -> ImageData:
    """All of MNIST, verified."""
    return get_dataset("mnist").load(data_dir)


@pytest.fixture(scope="session")
def mnist_small(mnist: ImageData) -> ImageData:
    """The first 3,000 training and 3,000 test images of MNIST."""
    return mnist.subset(3000)


def suite_params(suite: Suite, dataset: str, model: str) -> dict:
    """The parameters of the one configuration a suite gives ``model`` on ``dataset``."""
    [config] = suite.configs(dataset, model)
    return config.params


def write_idx_folder(folder: Path, data: ImageData, gzipped: bool = False) -> Path:
    """Write ``data`` as the four MNIST-format files (gzipped when asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        TRAIN_IMAGES: data.x_train[..., 0],
        TRAIN_LABELS: data.y_train.astype(np.uint8),
        TEST_IMAGES: data.x_test[..., 0],
        TEST_LABELS: data.y_test.astype(np.uint8),
    }
    for name, array in arrays.items():
        raw = encode_idx(np.ascontiguousarray(array))
        if gzipped:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return folder


@pytest.fixture(scope="session")
def small_idx_folder(tmp_path_factory: pytest.TempPathFactory, mnist: ImageData) -> Path:
    """A real MNIST slice (2,000 train, 500 test) as an ``idx:`` folder, for quick runs."""
    subset = mnist.subset(2000)
    data = ImageData(
        name="slice",
        x_train=subset.x_train,
        y_train=subset.y_train,
        x_test=subset.x_test[:500],
        y_test=subset.y_test[:500],
        class_names=subset.class_names,
    )
    return write_idx_folder(tmp_path_factory.mktemp("idx") / "slice", data)


def main_in_fresh_python(argv: list[str]) -> tuple[int, bool]:
    """Run ``nnbench argv`` in a new Python process: its exit status, and whether TensorFlow or
    Keras was imported there."""
    code = (
        "import sys\n"
        "from nnbench.cli import main\n"
        f"status = main({argv!r})\n"
        "print('STATUS', status, 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    _, status, imported = done.stdout.strip().splitlines()[-1].split()
    return int(status), imported == "True"


def tiny_images(channels: int, size: tuple[int, int] = (12, 10), seed: int = 0) -> ImageData:
    """A small SYNTHETIC dataset: 3 classes, 30 train and 12 test images of ``size``."""
    rng = np.random.default_rng(seed)

    def split(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(count) % 3
        return rng.integers(0, 256, (count, *size, channels), dtype=np.uint8), labels

    (x_train, y_train), (x_test, y_test) = split(30), split(12)
    return ImageData("tiny (synthetic)", x_train, y_train, x_test, y_test, ("a", "b", "c"), True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``network`` every test that reads the shared data folder (``data_dir``, and the
    MNIST fixtures built on it): on a fresh machine its first use fetches MNIST."""
    for item in items:
        if "data_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.network)
