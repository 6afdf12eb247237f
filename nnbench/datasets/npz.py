"""``npz:FILE``: a NumPy archive of uint8 images and integer labels.

The archive holds ``x_train``, ``y_train``, ``x_test`` and ``y_test``, and optionally
``class_names`` (strings). Images are uint8, N x H x W (grey) or N x H x W x C; labels are
integers 0..K-1, where K is the number of class names, or the largest label + 1 without them.
Write one with ``np.savez(path, x_train=..., y_train=..., x_test=..., y_test=...)``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from nnbench.datasets.base import (
    Dataset,
    ImageData,
    Size,
    check_labels,
    check_test_classes,
    class_names_for,
)
from nnbench.errors import DataError

PREFIX = "npz:"
ARRAYS = ("x_train", "y_train", "x_test", "y_test")
CLASS_NAMES = "class_names"


def read_array(archive: np.lib.npyio.NpzFile, name: str, where: str) -> np.ndarray:
    """One array of the archive, or a DataError that names it."""
    if name not in archive.files:
        raise DataError(
            f"{where} has no {name!r} (it holds {', '.join(archive.files) or 'nothing'}); an "
            f"npz dataset holds {', '.join(ARRAYS)}, and optionally {CLASS_NAMES}."
        )
    try:
        return archive[name]
    except ValueError as exc:  # an object array, which would need pickle
        raise DataError(
            f"{where}: {name} cannot be read without pickle ({exc}); save it as a plain array, "
            "e.g. np.array(names, dtype=str) for class names."
        ) from None


def check_images(images: np.ndarray, name: str, where: str) -> np.ndarray:
    """``images`` as N x H x W x C uint8, or a DataError that says how to convert them."""
    if images.dtype != np.uint8:
        raise DataError(
            f"{where}: {name} is {images.dtype}, not uint8. Convert it before saving: "
            f"np.clip(np.rint({name} * 255), 0, 255).astype(np.uint8) for values in [0, 1], or "
            f"{name}.astype(np.uint8) for whole numbers 0..255."
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or not len(images):
        raise DataError(
            f"{where}: {name} has shape {images.shape}; it must be N x H x W or N x H x W x C "
            "with N > 0."
        )
    return images


def read_npz(path: Path, name: str) -> ImageData:
    """The archive at ``path``, checked."""
    where = str(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: read_array(archive, key, where) for key in ARRAYS}
            names = read_array(archive, CLASS_NAMES, where) if CLASS_NAMES in archive else None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{where} cannot be read as an npz archive ({exc}).") from exc
    x_train = check_images(arrays["x_train"], "x_train", where)
    x_test = check_images(arrays["x_test"], "x_test", where)
    y_train, y_test = arrays["y_train"], arrays["y_test"]
    for split, images, labels in (("train", x_train, y_train), ("test", x_test, y_test)):
        check_labels(labels, len(images), None, f"{where}: y_{split}")
    if names is None:
        class_names = class_names_for(np.concatenate([y_train, y_test]))
    else:
        class_names = tuple(str(value) for value in np.ravel(names))
    for split, labels in (("train", y_train), ("test", y_test)):
        check_labels(labels, len(labels), len(class_names), f"{where}: y_{split}")
    check_test_classes(y_train, y_test, class_names, where)
    return ImageData(
        name, x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), class_names
    )


class NpzFile(Dataset):
    """A NumPy archive named ``npz:FILE``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def file(self) -> Path:
        return Path(self.path).expanduser()

    def unavailable_reason(self, data_dir: Path) -> str | None:
        if not self.file().is_file():
            return f"{PREFIX}{self.path}: there is no file {self.file()}; check the path."
        return None

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Nothing to download: check that the archive reads, and return it."""
        self.load(data_dir)
        return self.file()

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        return read_npz(self.file(), f"{PREFIX}{self.path}").subset(limit)
