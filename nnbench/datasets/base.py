"""What every dataset provides: image arrays kept as uint8, labels and class names."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class ImageData:
    """Train and test images (uint8, shape N x H x W x C) with integer labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    synthetic: bool = False

    @classmethod
    def from_splits(
        cls,
        name: str,
        splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
        class_names: tuple[str, ...],
        synthetic: bool = False,
    ) -> ImageData:
        """From ``{"train": (images, labels), "test": (images, labels)}``, as stores load them."""
        (x_train, y_train), (x_test, y_test) = splits["train"], splits["test"]
        return cls(name, x_train, y_train, x_test, y_test, class_names, synthetic)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one image, H x W x C."""
        return tuple(self.x_train.shape[1:])

    def subset(self, n: int | None) -> ImageData:
        """The first ``n`` training and first ``n`` test images (all of them when ``n`` is None)."""
        if n is None:
            return self
        return replace(
            self,
            x_train=self.x_train[:n],
            y_train=self.y_train[:n],
            x_test=self.x_test[:n],
            y_test=self.y_test[:n],
        )

    def describe(self) -> dict:
        """The dataset facts that go into a result file."""
        return {
            "name": self.name,
            "synthetic": self.synthetic,
            "n_train": int(len(self.y_train)),
            "n_test": int(len(self.y_test)),
            "input_shape": list(self.input_shape),
            "classes": list(self.class_names),
        }


class Dataset(ABC):
    """One dataset family. ``fetch`` makes the files available; ``load`` reads them."""

    name: ClassVar[str]
    #: True for generated stand-ins; every table and file then says "synthetic"
    synthetic: ClassVar[bool] = False

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Make the dataset's files available under ``data_dir``; return their folder."""
        return data_dir

    def unavailable_reason(self, data_dir: Path) -> str | None:
        """Why the data cannot be had without the user's help (None when they can).

        ``nnbench all`` skips such a dataset with this reason instead of failing.
        """
        return None

    @abstractmethod
    def load(self, data_dir: Path, limit: int | None = None) -> ImageData:
        """Fetch on demand, then read and validate the arrays.

        Only the first ``limit`` training and first ``limit`` test images are returned (all of
        them when None); a dataset may use this to avoid reading the rest.
        """


def class_names_for(labels: np.ndarray) -> tuple[str, ...]:
    """Class names "0" .. "K-1" for integer labels whose largest value is K-1."""
    return tuple(str(i) for i in range(int(labels.max()) + 1)) if labels.size else ()
