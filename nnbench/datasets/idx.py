"""MNIST's IDX format: parse, validate, encode, and read a folder of the four standard files."""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from nnbench.datasets.base import ImageData, PathDataset, Size, infer_class_names
from nnbench.errors import DataError

UNSIGNED_BYTE = 0x08
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
IDX_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def parse_idx(raw: bytes, source: str, magic: int) -> np.ndarray:
    """Decode an IDX file of unsigned bytes, checking its magic number and length.

    Any ``raw`` gives either the array or a DataError naming ``source``.
    """
    if len(raw) < 4:
        raise DataError(f"{source}: {len(raw)} bytes is too short for an IDX header.")
    found = struct.unpack(">I", raw[:4])[0]
    if found != magic:
        raise DataError(
            f"{source}: magic number 0x{found:08x}, expected 0x{magic:08x} "
            f"({'images' if magic == IMAGES_MAGIC else 'labels'} of unsigned bytes). "
            "Is this an IDX file, and is it the right one of the four?"
        )
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DataError(f"{source}: truncated inside the header ({len(raw)} bytes).")
    dims = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = header_size + math.prod(dims)
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "longer than its header says"
        raise DataError(
            f"{source}: {problem}: the header promises {expected:,} bytes for shape "
            f"{dims}, the file has {len(raw):,}."
        )
    try:
        return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)
    except ValueError as exc:  # a count of 0 with other sizes too large for an array
        raise DataError(
            f"{source}: the header's shape {dims} cannot be an array ({exc}); is the file damaged?"
        ) from exc


def encode_idx(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX bytes (the inverse of :func:`parse_idx`)."""
    if array.dtype != np.uint8:
        raise ValueError(f"IDX encoding here supports uint8 only, got {array.dtype}")
    header = struct.pack(">BBBB", 0, 0, UNSIGNED_BYTE, array.ndim)
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def read_idx_file(path: Path, magic: int) -> np.ndarray:
    """Read ``path`` (gzipped when it ends in .gz) and parse it."""
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot be read ({exc}).") from exc
    return parse_idx(raw, str(path), magic)


def find_idx_file(folder: Path, stem: str) -> Path:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists."""
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise DataError(
        f"{folder}: no {stem} (or {stem}.gz). An MNIST-format folder holds the four files "
        f"{', '.join(IDX_FILES)}, each optionally gzipped."
    )


def read_idx_folder(folder: Path, name: str) -> ImageData:
    """Read the four standard IDX files of ``folder`` into :class:`ImageData`.

    Both splits must hold at least one image. Labels must be 0..K-1 with training images of
    every class, and test labels classes of the training ones (:func:`infer_class_names`);
    this is checked on the whole files, so ``--subset`` never changes K, and a bad label is a
    DataError even when ``--subset`` would leave it out.
    """
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder of MNIST-format files.")
    splits, sources = {}, {}
    for split, images_stem, labels_stem in (
        ("train", TRAIN_IMAGES, TRAIN_LABELS),
        ("test", TEST_IMAGES, TEST_LABELS),
    ):
        images_path = find_idx_file(folder, images_stem)
        labels_path = find_idx_file(folder, labels_stem)
        images = read_idx_file(images_path, IMAGES_MAGIC)
        labels = read_idx_file(labels_path, LABELS_MAGIC)
        if len(images) != len(labels):
            raise DataError(
                f"{folder}: {images_path.name} holds {len(images):,} images but "
                f"{labels_path.name} holds {len(labels):,} labels; they must match."
            )
        if len(images) == 0:
            raise DataError(f"{images_path}: the {split} split holds no images.")
        splits[split] = (images[..., np.newaxis], labels.astype(np.int64))
        sources[split] = str(labels_path)
    class_names = infer_class_names(
        splits["train"][1], splits["test"][1], sources["train"], sources["test"]
    )
    return ImageData.from_splits(name, splits, class_names)


class IdxFolder(PathDataset):
    """Any folder of MNIST-format files, named ``idx:PATH``. Headers are validated; no checksums."""

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        return read_idx_folder(self.path, name=self.name).subset(limit)
