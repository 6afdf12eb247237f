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
    ImageData,
    PathDataset,
    Size,
    check_labels,
    check_test_classes,
    infer_class_names,
)
from nnbench.errors import DataError

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
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        fix = "write the file again"
        if "pickle" in str(exc):  # an object array
            fix = "save it as a plain array, e.g. np.array(names, dtype=str) for class names"
        raise DataError(f"{where}: {name} cannot be read ({exc}); {fix}.") from None


def with_channels(images: np.ndarray) -> np.ndarray:
    """Grey N x H x W images as N x H x W x 1; other shapes as they are (checked on load)."""
    return images[..., np.newaxis] if images.ndim == 3 else images


def read_npz(path: Path, name: str) -> ImageData:
    """The archive at ``path``, checked."""
    where = str(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{where} cannot be read as an npz archive ({exc}).") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(
            f"{where} holds one array, not an npz archive of {', '.join(ARRAYS)}; write it with "
            "np.savez(path, x_train=..., y_train=..., x_test=..., y_test=...)."
        )
    with archive:
        arrays = {key: read_array(archive, key, where) for key in ARRAYS}
        names = read_array(archive, CLASS_NAMES, where) if CLASS_NAMES in archive else None
    x_train, x_test = with_channels(arrays["x_train"]), with_channels(arrays["x_test"])
    y_train, y_test = arrays["y_train"], arrays["y_test"]
    for split, images, labels in (("train", x_train, y_train), ("test", x_test, y_test)):
        check_labels(labels, len(images), None, f"{where}: y_{split}")
    if names is None:
        class_names = infer_class_names(y_train, y_test, f"{where}: y_train", f"{where}: y_test")
    else:
        class_names = tuple(str(value) for value in np.ravel(names))
    for split, labels in (("train", y_train), ("test", y_test)):
        check_labels(labels, len(labels), len(class_names), f"{where}: y_{split}")
    check_test_classes(y_train, y_test, class_names, where)
    return ImageData(
        name, x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), class_names
    )


class NpzFile(PathDataset):
    """A NumPy archive named ``npz:FILE``."""

    path_kind = "file"

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        return read_npz(self.path, self.name).subset(limit)
