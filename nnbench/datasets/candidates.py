"""Photos of political candidates labelled with gender (the lecture's second application).

The loader of the folder format of :mod:`nnbench.datasets.candidates_format`, which the builder
(:mod:`nnbench.datasets.votesmart`) writes or a user brings, decoded once into a uint8 cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from nnbench.datasets.arrays import ArrayStore
from nnbench.datasets.base import Dataset, ImageData, Size
from nnbench.datasets.candidates_format import (
    CLASS_NAMES,
    IMAGE_HEIGHT,
    IMAGE_WIDTH,
    IMAGES_DIR,
    LABELS_FILE,
    MANIFEST_FILE,
    read_labels,
    read_manifest,
)
from nnbench.datasets.images import open_image, pixels, store_images
from nnbench.datasets.votesmart import API_KEY_ENV, APIS
from nnbench.errors import DataError, DataUnavailableError
from nnbench.files import sha256_file
from nnbench.options import Option, choice, list_of, names, positive_float, whole_number

FOLDER_NAME = "candidates"
CACHE_SUFFIX = ".cache"
CACHE_VERSION = 1
#: how to get the photos, in one line: the details are in docs/data.md
HOW_TO_GET = (
    "build them with `nnbench data build candidates --year YEAR` (Vote Smart credentials "
    "needed) or bring your own copy: docs/data.md#candidate-photos"
)


class Candidates(Dataset):
    """Candidate photos from a folder in the builder's format; decoded once into a uint8 cache.

    The cache (``candidates.cache/`` beside the folder) is rebuilt whenever labels.csv changes.
    ``nnbench data build candidates`` builds the folder from the Project Vote Smart API.
    """

    build_options = (
        Option(
            "api",
            "which Vote Smart API: rest2 reads $VOTESMART_EMAIL and $VOTESMART_PASSWORD, or "
            "$VOTESMART_API_TOKEN; classic reads the key (default: rest2 when its credentials "
            "are set, else classic)",
            choice(APIS),
            metavar="|".join(APIS),
        ),
        Option("api_key", f"classic API key (default: ${API_KEY_ENV})", env=API_KEY_ENV),
        Option("state", "two-letter states (default: all)", names, metavar="XX[,YY]"),
        Option(
            "year",
            "candidates of the elections of these years",
            list_of(whole_number(1900)),
            metavar="YYYY[,YYYY]",
        ),
        Option("office", "candidates for these Vote Smart office ids", names, metavar="ID[,ID]"),
        Option("rate_limit", "at most R requests per second", positive_float, 2.0, "R"),
        Option("timeout", "seconds before a request times out", positive_float, 30.0, "S"),
        Option("retries", "retries of a failed request, with backoff", whole_number(0), 3, "N"),
        Option("api_url", "API root (default: the public root of the API used)", metavar="URL"),
        Option(
            "retry_missing",
            "ask again for photos that answered 403, 404 or 410 in earlier builds",
            switch=True,
        ),
        Option(
            "dry_run",
            "list the scope and say how many bios and photos a build would fetch; write nothing",
            switch=True,
        ),
    )

    def folder(self, data_dir: Path) -> Path:
        """Where the dataset folder lives."""
        return data_dir / FOLDER_NAME

    def unavailable_reason(self, data_dir: Path) -> str | None:
        folder = self.folder(data_dir)
        if not (folder / LABELS_FILE).is_file():
            return f"No candidate photos at {folder}: {HOW_TO_GET}."
        manifest = read_manifest(folder)
        if manifest is not None and manifest.get("complete") is False:
            return (
                f"The candidates build in {folder} stopped before it finished ({MANIFEST_FILE} "
                "says complete: false). Run `nnbench data build candidates` again with the same "
                "scope to resume it."
            )
        return None

    def fingerprint(self, data_dir: Path) -> str | None:
        """The checksum of ``labels.csv``, which holds every photo's checksum."""
        labels = self.folder(data_dir) / LABELS_FILE
        return sha256_file(labels)[:16] if labels.is_file() else None

    def stored_at(self, data_dir: Path) -> Path:
        return self.cache(data_dir).folder

    def cache(self, data_dir: Path) -> ArrayStore:
        """The uint8 cache beside the folder."""
        return ArrayStore(data_dir / (FOLDER_NAME + CACHE_SUFFIX))

    def fetch(self, data_dir: Path, force: bool = False) -> Path:
        """Nothing can be downloaded without Vote Smart credentials (``build`` does that): check
        the folder and decode it into the cache (again when ``labels.csv`` changed, or with
        ``force``)."""
        reason = self.unavailable_reason(data_dir)
        if reason:
            raise DataUnavailableError(reason)
        folder, store = self.folder(data_dir), self.cache(data_dir)
        key = {"cache_version": CACHE_VERSION, "labels_sha256": sha256_file(folder / LABELS_FILE)}
        if force or store.key() != key:
            convert_folder(folder, store, key)
        return folder

    def build(self, data_dir: Path, **options: Any) -> dict[str, Any]:
        """Build the folder from Vote Smart, or resume or widen an earlier build; with
        ``dry_run``, only say what a build would fetch."""
        from nnbench.datasets.votesmart.build import build_candidates
        from nnbench.datasets.votesmart.credentials import Credentials
        from nnbench.datasets.votesmart.listing import BuildScope

        folder = self.folder(data_dir)
        scope = BuildScope(
            states=tuple(options["state"]) if options["state"] else None,
            years=tuple(options["year"] or ()),
            offices=tuple(options["office"] or ()),
        )
        built = build_candidates(
            folder,
            Credentials.from_env(os.environ, api_key=options["api_key"]),
            scope,
            api=options["api"],
            api_url=options["api_url"],
            rate_limit=options["rate_limit"],
            timeout=options["timeout"],
            retries=options["retries"],
            retry_missing=options["retry_missing"],
            dry_run=options["dry_run"],
        )
        if options["dry_run"]:
            return built
        return {
            "folder": str(folder),
            "api": built["source"]["api"],
            "this_build": built["last_build"]["summary"],
            "counts": built["counts"],
        }

    def read(self, data_dir: Path, limit: int | None, image_size: Size | None) -> ImageData:
        self.fetch(data_dir)
        return ImageData.from_splits(FOLDER_NAME, self.cache(data_dir).load(limit), CLASS_NAMES)


def read_image(path: Path, expected_sha256: str) -> np.ndarray:
    """One photo as a 135 x 110 x 3 uint8 array, checked against its size and checksum."""
    image = open_image(path, f"restore or replace it, or drop its row in {LABELS_FILE}")
    if image.size != (IMAGE_WIDTH, IMAGE_HEIGHT):
        raise DataError(
            f"{path} is {image.width} wide x {image.height} high; every image must be "
            f"{IMAGE_WIDTH} x {IMAGE_HEIGHT}. Centre-crop and resize it (the builder does this)."
        )
    if expected_sha256 and sha256_file(path) != expected_sha256:
        raise DataError(
            f"{path} does not match the sha256 in {LABELS_FILE}; rebuild the folder, "
            "or clear that sha256 cell if you replaced the image on purpose."
        )
    return pixels(image, channels=3)


def convert_folder(folder: Path, store: ArrayStore, key: dict[str, Any]) -> None:
    """Decode every listed photo, chunk by chunk, into the uint8 array store."""
    labels = read_labels(folder)
    splits = {
        split: [
            (label, CLASS_NAMES.index(label.gender)) for label in labels if label.split == split
        ]
        for split in ("train", "test")
    }
    for split, items in splits.items():
        if not items:
            raise DataError(
                f"{folder / LABELS_FILE}: the {split} split is empty. Add images (build a wider "
                "scope) or, for your own copy, set the split column (blank uses the hashed rule)."
            )
    store_images(
        store,
        key,
        (IMAGE_HEIGHT, IMAGE_WIDTH, 3),
        splits,
        lambda label: read_image(folder / IMAGES_DIR / f"{label.candidate_id}.png", label.sha256),
        what=FOLDER_NAME,
    )
