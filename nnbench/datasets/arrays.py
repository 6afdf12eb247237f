"""A folder of uint8 image arrays per split, for datasets that are slow to decode or generate.

Layout: ``<split>_images.npy`` (N x H x W x C, uint8), ``<split>_labels.npy`` (int64) and
``key.json``, which says what the arrays were made from so that a stale store is noticed.
The folder is written beside its final place and renamed into it only when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from nnbench.errors import DataError
from nnbench.files import atomic_write_text

KEY_FILE = "key.json"
SPLITS = ("train", "test")

Chunks = Iterable[tuple[np.ndarray, np.ndarray]]


class ArrayStore:
    """uint8 images and int64 labels per split as .npy files in one folder, plus key.json."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self) -> dict[str, Any] | None:
        """The stored key, or None when there is no complete, readable store."""
        try:
            key = json.loads((self.folder / KEY_FILE).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        return key if isinstance(key, dict) else None

    def load(self, limit: int | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{split: (images, labels)}``: the first ``limit`` rows of each split, all when None."""
        loaded = {}
        for split in SPLITS:
            try:
                images = np.load(self.folder / f"{split}_images.npy", mmap_mode="r")
                labels = np.load(self.folder / f"{split}_labels.npy", mmap_mode="r")
            except (OSError, ValueError) as exc:
                raise DataError(
                    f"The array store {self.folder} is damaged ({exc}). "
                    f"Delete {self.folder} and run again to rebuild it."
                ) from exc
            rows = slice(None, limit)
            loaded[split] = (np.array(images[rows]), np.array(labels[rows], dtype=np.int64))
        return loaded

    def write(
        self,
        key: dict[str, Any],
        image_shape: tuple[int, ...],
        splits: dict[str, tuple[int, Chunks]],
    ) -> None:
        """Write every split chunk by chunk, then put the complete folder in place."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{self.folder.name}.", suffix=".tmp", dir=self.folder.parent)
        )
        try:
            for split, (rows, chunks) in splits.items():
                fill_split(staging, split, rows, tuple(image_shape), chunks)
            atomic_write_text(staging / KEY_FILE, json.dumps(key, indent=2) + "\n")
            replace_folder(staging, self.folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def fill_split(
    folder: Path, split: str, rows: int, image_shape: tuple[int, ...], chunks: Chunks
) -> None:
    """Write ``rows`` images and labels of one split from ``chunks``, without holding them all."""
    images = np.lib.format.open_memmap(
        folder / f"{split}_images.npy", mode="w+", dtype=np.uint8, shape=(rows, *image_shape)
    )
    labels = np.lib.format.open_memmap(
        folder / f"{split}_labels.npy", mode="w+", dtype=np.int64, shape=(rows,)
    )
    filled = 0
    for chunk_images, chunk_labels in chunks:
        end = filled + len(chunk_images)
        if end > rows:
            raise DataError(f"{split} split: expected {rows} images, the source gave more.")
        images[filled:end] = chunk_images
        labels[filled:end] = chunk_labels
        filled = end
    if filled != rows:
        raise DataError(f"{split} split: expected {rows} images, the source gave {filled}.")
    images.flush()
    labels.flush()
    del images, labels
    for name in (f"{split}_images.npy", f"{split}_labels.npy"):
        with open(folder / name, "rb+") as handle:
            os.fsync(handle.fileno())


def replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``, removing an older ``target`` only once ``new`` is in place."""
    if not target.exists():
        new.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    target.rename(old / target.name)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
