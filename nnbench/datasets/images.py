"""Image files to uint8 arrays with Pillow: decoding with errors that name the file, resizing,
and decoding many files chunk by chunk into an :class:`~nnbench.datasets.arrays.ArrayStore`.
Used by every dataset made of image files (the candidate photos, ``folder:PATH``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image

from nnbench import progress
from nnbench.datasets.arrays import ArrayStore
from nnbench.errors import DataError

#: Pillow modes whose pixels are one grey level
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
RESAMPLING = Image.Resampling.LANCZOS
#: images decoded between two writes to the store (and two progress lines)
CHUNK = 1000

Item = TypeVar("Item")


def open_image(path: str | Path, fix: str) -> Image.Image:
    """The decoded image at ``path``, or a DataError naming the file and ``fix``."""
    try:
        image = Image.open(path)
        with image:  # the pixels are read, then the file is closed
            image.load()
        return image
    except FileNotFoundError:
        raise DataError(f"{path} is missing; {fix}.") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{path} cannot be read as an image ({exc}); {fix}.") from exc


def pixels(image: Image.Image, channels: int, size: tuple[int, int] | None = None) -> np.ndarray:
    """``image`` as uint8 H x W x ``channels`` (1: grey, 3: RGB), resized to ``size`` (H, W)."""
    converted = image.convert("L" if channels == 1 else "RGB")
    if size is not None and converted.size != (size[1], size[0]):
        converted = converted.resize((size[1], size[0]), RESAMPLING)
    array = np.asarray(converted, dtype=np.uint8)
    return array[..., np.newaxis] if channels == 1 else array


def resize_pixels(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """uint8 images N x H x W x C resized to ``size`` (H, W), channel by channel."""
    height, width = size
    resized = np.empty((len(images), height, width, images.shape[3]), dtype=np.uint8)
    for index, image in enumerate(images):
        for channel in range(images.shape[3]):
            grey = Image.fromarray(np.ascontiguousarray(image[..., channel]), mode="L")
            resized[index, ..., channel] = np.asarray(grey.resize((width, height), RESAMPLING))
    return resized


def store_images(
    store: ArrayStore,
    key: dict[str, Any],
    image_shape: tuple[int, ...],
    splits: Mapping[str, Sequence[tuple[Item, int]]],
    read: Callable[[Item], np.ndarray],
    what: str,
) -> None:
    """Decode every split's ``(item, label)`` pairs with ``read`` into ``store``, chunk by
    chunk, with a progress line per chunk on stderr."""
    total = sum(len(items) for items in splits.values())
    progress.info(f"{what}: decoding {total:,} images into {store.folder} (once)")
    done = 0

    def chunks(items: Sequence[tuple[Item, int]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        nonlocal done
        for start in range(0, len(items), CHUNK):
            batch = items[start : start + CHUNK]
            images = np.stack([read(item) for item, _ in batch])
            done += len(batch)
            progress.info(f"{what}: {done:,}/{total:,} images decoded")
            yield images, np.array([label for _, label in batch], dtype=np.int64)

    store.write(
        key,
        image_shape,
        {split: (len(items), chunks(items)) for split, items in splits.items()},
    )
