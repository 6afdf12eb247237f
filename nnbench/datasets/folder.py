"""``folder:PATH``: your own images, one sub-folder per class.

Layout: ``PATH/train/<class>/*.png|jpg|jpeg`` and ``PATH/test/<class>/...``. Class names are the
train sub-folders' names, sorted; a test class must also be a train class. Images are ordered by
file name, then class, so numbered file names keep your order. They are kept as uint8 H x W x C:
one channel when every image is grey, else RGB. All must have one size unless ``--image-size``
resizes them.

The decoded arrays are cached in ``PATH/.nnbench-cache/`` (or, when PATH is read-only, in the
data folder), keyed by a fingerprint of every file's name, size and modification time, so a
changed, added or removed file decodes the folder again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from nnbench import progress
from nnbench.datasets.arrays import SPLITS, ArrayStore
from nnbench.datasets.base import ImageData, PathDataset, Size
from nnbench.datasets.images import GREY_MODES, open_image, pixels, store_images
from nnbench.errors import DataError

EXTENSIONS = (".png", ".jpg", ".jpeg")
CACHE_FOLDER = ".nnbench-cache"
FIX = "replace or remove it"
#: bump when the cache's layout or decoding changes
CACHE_VERSION = 1
LAYOUT = "a folder dataset holds train/<class>/ and test/<class>/ sub-folders of PNG or JPEG images"


@dataclass(frozen=True)
class Listing:
    """The image files of a folder dataset: per split, (file, class index) in load order, and a
    fingerprint of every file's path, class, size and modification time."""

    class_names: tuple[str, ...]
    files: dict[str, list[tuple[str, int]]]
    ignored: tuple[str, ...]
    fingerprint: str

    def all_files(self) -> Iterator[str]:
        for split in SPLITS:
            yield from (path for path, _ in self.files[split])


def class_folders(split_dir: Path) -> list[str]:
    """The class sub-folders of a split folder, sorted; hidden ones are left out."""
    if not split_dir.is_dir():
        raise DataError(f"{split_dir}: no such folder; {LAYOUT}.")
    return sorted(p.name for p in split_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def scan_class(
    root: Path, split: str, name: str, label: int, ignored: list[str]
) -> list[tuple[str, int, str, str]]:
    """(file name, label, path, fingerprint line) of each image of class ``name`` in ``split``;
    other files go to ``ignored``. Plain strings and os.scandir keep 70,000 files fast."""
    folder, found = root / split / name, []
    for entry in os.scandir(folder):
        if entry.name.startswith(".") or not entry.is_file():
            continue
        if not entry.name.lower().endswith(EXTENSIONS):
            ignored.append(entry.path)
            continue
        stat = entry.stat()
        line = f"{split}/{name}/{entry.name}\0{label}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        found.append((entry.name, label, entry.path, line))
    if not found:
        raise DataError(f"{folder}: no PNG or JPEG images; add some or remove the folder.")
    return found


def list_folder(root: Path) -> Listing:
    """The folder's classes and image files, checked for the layout."""
    train_classes = class_folders(root / "train")
    if len(train_classes) < 2:
        named = ", ".join(train_classes) or "none"
        raise DataError(
            f"{root / 'train'}: {len(train_classes)} class folder(s) ({named}); a dataset needs "
            f"at least two classes: {LAYOUT}."
        )
    files: dict[str, list[tuple[str, int]]] = {}
    ignored: list[str] = []
    digest = hashlib.sha256()
    for split in SPLITS:
        found: list[tuple[str, int, str, str]] = []
        for name in class_folders(root / split):
            if name not in train_classes:
                raise DataError(
                    f"{root / split / name}: class {name!r} has test images but is not in "
                    f"train/ ({', '.join(train_classes)}); a model cannot learn it. Add "
                    f"train/{name}/ or remove this folder."
                )
            found += scan_class(root, split, name, train_classes.index(name), ignored)
        found.sort()
        files[split] = [(path, label) for _, label, path, _ in found]
        digest.update("".join(line for *_, line in found).encode("utf-8", "surrogateescape"))
    return Listing(tuple(train_classes), files, tuple(ignored), digest.hexdigest())


def image_header(path: str) -> tuple[Size, str]:
    """An image file's (height, width) and Pillow mode, from its header."""
    try:
        with Image.open(path) as image:
            return (image.height, image.width), image.mode
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(
            f"{path} cannot be read as an image ({exc}); replace or remove it."
        ) from exc


def image_shape(
    listing: Listing, image_size: Size | None
) -> tuple[tuple[int, int, int], list[Size]]:
    """The stored images' shape (H, W, C) and the sizes the files have, checking that they share
    one size unless ``image_size`` resizes them."""
    headers = {path: image_header(path) for path in listing.all_files()}
    sizes = Counter(size for size, _ in headers.values())
    channels = 1 if all(mode in GREY_MODES for _, mode in headers.values()) else 3
    (common, count), *_ = sizes.most_common(1)
    if image_size is None and len(sizes) > 1:
        odd, (size, _) = next((p, h) for p, h in headers.items() if h[0] != common)
        raise DataError(
            f"{odd} is {size[0]}x{size[1]} (height x width), but most images ({count:,} of "
            f"{len(headers):,}) are {common[0]}x{common[1]}. Give every image one size, or pass "
            "--image-size HxW to `run` or `all` to resize them all."
        )
    height, width = image_size or common
    return (height, width, channels), sorted(sizes)


class ImageFolder(PathDataset):
    """A folder of images named ``folder:PATH``; see the module's description."""

    def cache(self, data_dir: Path, image_size: Size | None) -> ArrayStore:
        """The cache for images of ``image_size``: in the folder, or in the data folder when the
        folder cannot be written."""
        root = self.path
        size = f"{image_size[0]}x{image_size[1]}" if image_size else "native"
        if os.access(root, os.W_OK):
            return ArrayStore(root / CACHE_FOLDER / size)
        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        return ArrayStore(data_dir / "folder-cache" / digest / size)

    def stored_at(self, data_dir: Path) -> Path:
        return self.cache(data_dir, None).folder

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        listing = list_folder(self.path)
        store = self.cache(data_dir, image_size)
        wanted = {"cache_version": CACHE_VERSION, "fingerprint": listing.fingerprint}
        key = store.key()
        if key is None or any(key.get(name) != value for name, value in wanted.items()):
            key = self.decode(listing, store, wanted, image_size)
        resized = tuple(tuple(size) for size in key["resized_from"])
        return ImageData.from_splits(
            self.name, store.load(limit), tuple(key["class_names"]), False, resized
        )

    def decode(
        self, listing: Listing, store: ArrayStore, key: dict[str, Any], image_size: Size | None
    ) -> dict[str, Any]:
        """Decode every image into ``store``; return the key written with it."""
        if listing.ignored:
            progress.info(
                f"{self.name}: ignoring {len(listing.ignored)} file(s) that are not "
                f"PNG or JPEG, such as {listing.ignored[0]}"
            )
        shape, sizes = image_shape(listing, image_size)
        resized = [list(size) for size in sizes] if image_size and sizes != [image_size] else []
        key = {**key, "class_names": list(listing.class_names), "resized_from": resized}
        store_images(
            store,
            json.loads(json.dumps(key)),
            shape,
            listing.files,
            lambda path: pixels(open_image(path, FIX), shape[2], shape[:2]),
            what=self.name,
        )
        return key


def write_folder(root: Path, data: ImageData, suffix: str = ".png") -> Path:
    """Write ``data`` as a folder dataset, ``root/<split>/<class>/<index><suffix>``, numbered so
    that loading it gives the same arrays in the same order (exactly, for PNG)."""
    for split, images, labels in (
        ("train", data.x_train, data.y_train),
        ("test", data.x_test, data.y_test),
    ):
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            folder = root / split / data.class_names[label]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                folder / f"{index:05d}{suffix}"
            )
    return root
