"""What every dataset provides: image arrays kept as uint8, labels and class names; and the
interface a dataset family implements, built-in or plugin."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from nnbench.datasets.images import resize_pixels
from nnbench.errors import ConfigError, DataError, DataUnavailableError
from nnbench.files import tree_fingerprint
from nnbench.options import Option

Size = tuple[int, int]


@dataclass(frozen=True)
class ImageData:
    """Train and test images (uint8, shape N x H x W x C) with integer labels.

    ``resized_from`` lists the image sizes (H, W) the images had before ``--image-size``
    resized them; it is empty when they were not resized.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    synthetic: bool = False
    resized_from: tuple[Size, ...] = ()

    @classmethod
    def from_splits(
        cls,
        name: str,
        splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
        class_names: tuple[str, ...],
        synthetic: bool = False,
        resized_from: tuple[Size, ...] = (),
    ) -> ImageData:
        """From ``{"train": (images, labels), "test": (images, labels)}``, as stores load them."""
        (x_train, y_train), (x_test, y_test) = splits["train"], splits["test"]
        return cls(name, x_train, y_train, x_test, y_test, class_names, synthetic, resized_from)

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

    def resized(self, size: Size) -> ImageData:
        """Every image resized to ``size`` (H, W) with Pillow; itself when already that size."""
        shapes = {tuple(self.x_train.shape[1:3]), tuple(self.x_test.shape[1:3])}
        if shapes == {tuple(size)}:
            return self
        return replace(
            self,
            x_train=resize_pixels(self.x_train, size),
            x_test=resize_pixels(self.x_test, size),
            resized_from=tuple(sorted(shapes)),
        )

    def check(self, same_shape: bool = True) -> None:
        """Raise DataError unless the arrays are uint8 images with integer labels in 0..K-1 for
        K >= 2 class names, and (``same_shape``) both splits' images have one shape."""
        where = f"dataset {self.name}"
        if len(self.class_names) < 2:
            raise DataError(f"{where} has {len(self.class_names)} class(es); it needs at least 2.")
        for split, images, labels in (
            ("train", self.x_train, self.y_train),
            ("test", self.x_test, self.y_test),
        ):
            if images.dtype != np.uint8:
                raise DataError(
                    f"{where}: x_{split} is {images.dtype}, not uint8. Convert it: "
                    "np.clip(np.rint(x * 255), 0, 255).astype(np.uint8) for values in [0, 1], or "
                    "x.astype(np.uint8) for whole numbers 0..255."
                )
            if images.ndim != 4 or not images.size:
                raise DataError(
                    f"{where}: x_{split} has shape {images.shape}; images must be N x H x W x C "
                    "with N, H, W and C above 0."
                )
            check_labels(labels, len(images), len(self.class_names), f"{where}: {split} labels")
        if same_shape and self.x_train.shape[1:] != self.x_test.shape[1:]:
            raise DataError(
                f"{where}: train images are {self.x_train.shape[1:]} but test images are "
                f"{self.x_test.shape[1:]}; both splits need one image shape (--image-size HxW "
                "resizes them)."
            )

    def describe(self) -> dict[str, Any]:
        """The dataset facts that go into a result file."""
        facts: dict[str, Any] = {
            "name": self.name,
            "synthetic": self.synthetic,
            "n_train": int(len(self.y_train)),
            "n_test": int(len(self.y_test)),
            "input_shape": list(self.input_shape),
            "classes": list(self.class_names),
        }
        if self.resized_from:
            facts["resized"] = {
                "to": list(self.input_shape[:2]),
                "from": [list(size) for size in self.resized_from],
            }
        return facts


def check_labels(labels: np.ndarray, count: int, n_classes: int | None, where: str) -> None:
    """Raise DataError unless ``labels`` are ``count`` integers from 0 (to n_classes-1); the
    message names the first label outside and its index."""
    if labels.ndim != 1 or len(labels) != count:
        raise DataError(
            f"{where} have shape {labels.shape} for {count} images; give one integer label per "
            "image (one-hot labels become labels.argmax(axis=1))."
        )
    if labels.dtype.kind not in "iu":
        raise DataError(
            f"{where} are {labels.dtype}, not integers; convert them with labels.astype(int) "
            "after checking that they are whole numbers 0..K-1."
        )
    outside = labels < 0
    if n_classes is not None:
        outside |= labels >= n_classes
    if outside.any():
        index = int(np.flatnonzero(outside)[0])
        allowed = (
            f"0..{n_classes - 1} for {n_classes} classes" if n_classes is not None else "0 or more"
        )
        raise DataError(
            f"{where} range from {labels.min()} to {labels.max()}; they must be {allowed}. "
            f"The first outside is {labels[index]} at index {index}: correct or remove it."
        )


def check_test_classes(
    y_train: np.ndarray, y_test: np.ndarray, class_names: tuple[str, ...], where: str
) -> None:
    """Raise DataError when a class has test images but no training images; ``where`` is the
    source of ``y_test``, and the message names the first such label and its index."""
    unseen = np.flatnonzero(~np.isin(y_test, y_train))
    if not unseen.size:
        return
    index, labels = int(unseen[0]), np.unique(y_test[unseen]).tolist()
    names = [
        class_names[label] if 0 <= label < len(class_names) else str(label) for label in labels
    ]
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    raise DataError(
        f"{where}: class {', '.join(names[:10])}{more} has test images but no training images "
        f"(the first: label {y_test[index]} at index {index}); a model cannot learn it. Add "
        "training images of it, or correct or remove those test labels."
    )


def infer_class_names(
    y_train: np.ndarray, y_test: np.ndarray, train_source: str, test_source: str
) -> tuple[str, ...]:
    """Class names "0" .. "K-1" for unnamed labels, K being the largest training label + 1.

    Every class 0..K-1 must have training images and every test label must be one of them, so
    a corrupt label (255 among the digits) is a DataError naming its source (``train_source`` or
    ``test_source``), value and index, not a task of 256 classes. Pass whole splits, before
    ``--subset``: K then never depends on the subset, and a bad label is an error even where
    the subset would leave it out.
    """
    check_labels(y_train, len(y_train), None, f"{train_source}: labels")
    check_labels(y_test, len(y_test), None, f"{test_source}: labels")
    present = np.unique(y_train)
    gaps = np.flatnonzero(present != np.arange(len(present)))
    if gaps.size:
        missing, value = int(gaps[0]), int(present[gaps[0]])
        index = int(np.flatnonzero(y_train == value)[0])
        skipped = f"class {missing}" if value == missing + 1 else f"classes {missing}..{value - 1}"
        raise DataError(
            f"{train_source}: label {value} at index {index} skips {skipped}, which no training "
            "image has; labels must be 0..K-1 with training images of every class. "
            "Correct that label, or number the classes 0..K-1."
        )
    class_names = class_names_for(y_train)
    check_test_classes(y_train, y_test, class_names, test_source)
    return class_names


class Dataset(ABC):
    """One dataset family. ``fetch`` makes the files available; ``load`` reads, checks and
    resizes them; datasets that are made rather than downloaded declare ``build_options`` and
    implement ``build``."""

    #: True for generated stand-ins; every table and file then says "synthetic"
    synthetic: ClassVar[bool] = False
    #: the options of ``nnbench data build NAME`` for a dataset that is built
    build_options: ClassVar[tuple[Option, ...]] = ()

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Make the dataset's files available under ``data_dir``; return their folder."""
        return data_dir

    def stored_at(self, data_dir: Path) -> Path | None:
        """Where nnbench keeps this dataset's files or decoded arrays (its download, or a
        cache of decoded images); None when it reads the user's files as they are."""
        return None

    def unavailable_reason(self, data_dir: Path) -> str | None:
        """Why the data cannot be had without the user's help (None when they can).

        ``nnbench all`` skips such a dataset with this reason instead of failing.
        """
        return None

    @property
    def buildable(self) -> bool:
        """Whether the dataset is built (``nnbench data build``) rather than downloaded."""
        return type(self).build is not Dataset.build

    def build(self, data_dir: Path, **options: Any) -> dict[str, Any]:
        """Make the dataset's files from the ``build_options`` given; return what to print
        (as JSON)."""
        raise ConfigError("this dataset is downloaded, not built")

    @abstractmethod
    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        """Fetch on demand, then read the arrays.

        Only the first ``limit`` training and first ``limit`` test images are returned (all of
        them when None); a dataset may use this to avoid reading the rest. A dataset that
        decodes files may resize to ``image_size`` as it decodes; :meth:`load` resizes the rest.
        """

    def fingerprint(self, data_dir: Path) -> str | None:
        """A short digest of the data's content, part of every cell's key, so that a result is
        not taken for one on other data; None when the data is not there (or, for a plugin that
        does not say, always: its key then holds its name only)."""
        return None

    def load(
        self, data_dir: Path, limit: int | None = None, image_size: Size | None = None
    ) -> ImageData:
        """:meth:`read`, checked, resized to ``image_size`` (H, W) when given."""
        data = self.read(data_dir, limit, image_size)
        data.check(same_shape=image_size is None)
        return data.resized(image_size) if image_size else data


def class_names_for(labels: np.ndarray) -> tuple[str, ...]:
    """Class names "0" .. "K-1" for integer labels whose largest value is K-1."""
    return tuple(str(i) for i in range(int(labels.max()) + 1)) if labels.size else ()


class PathDataset(Dataset):
    """A family of the user's own files, named ``FAMILY:PATH``: nothing to download, and a
    missing PATH is data the user must provide."""

    #: what PATH names: "folder" or "file"
    path_kind: ClassVar[str] = "folder"

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def path(self) -> Path:
        return Path(self.name.partition(":")[2]).expanduser()

    def unavailable_reason(self, data_dir: Path) -> str | None:
        exists = self.path.is_dir() if self.path_kind == "folder" else self.path.is_file()
        if not exists:
            return f"{self.name}: there is no {self.path_kind} {self.path}; check the path."
        return None

    def fingerprint(self, data_dir: Path) -> str | None:
        """The names, sizes and modification times of the user's files."""
        return None if self.unavailable_reason(data_dir) else tree_fingerprint(self.path)

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Nothing to download: check that the data read (a folder's images are decoded into its
        cache), and return their path."""
        reason = self.unavailable_reason(data_dir)
        if reason:
            raise DataUnavailableError(reason)
        self.load(data_dir)
        return self.path
