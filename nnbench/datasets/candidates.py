"""Photos of political candidates labelled with gender (the lecture's second application).

The folder format, shared by the builder (:mod:`nnbench.datasets.votesmart`) and the loader::

    candidates/
      images/<candidate_id>.png   RGB, 110 wide x 135 high
      labels.csv                  candidate_id,gender,split,photo_url,sha256
      manifest.json               complete or not, APIs and scopes built, counts, the last
                                  build's summary, build date, split rule

``candidate_id`` is letters, digits, ``-`` and ``_`` (it names the image), each once; ``gender``
is ``Female`` or ``Male`` (``F``/``M`` and any case are read too); ``split`` is ``train``,
``test`` or blank (the hashed rule of :func:`split_for`); ``sha256`` is the hex digest of the PNG
file's bytes, or blank (not checked). A folder whose manifest.json says ``"complete": false`` is
a build that stopped early and is not loaded; a folder without manifest.json is a user's own copy.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from nnbench.datasets.arrays import ArrayStore
from nnbench.datasets.base import Dataset, ImageData, Size
from nnbench.datasets.images import open_image, pixels, store_images
from nnbench.datasets.votesmart import API_KEY_ENV, APIS
from nnbench.errors import DataError, DataUnavailableError
from nnbench.files import sha256_file
from nnbench.options import Option, choice, list_of, names, positive_float, whole_number

FOLDER_NAME = "candidates"
IMAGES_DIR = "images"
LABELS_FILE = "labels.csv"
MANIFEST_FILE = "manifest.json"
IMAGE_HEIGHT, IMAGE_WIDTH = 135, 110
CLASS_NAMES = ("Female", "Male")
GENDER_CODES = {"female": "Female", "f": "Female", "male": "Male", "m": "Male"}
#: ids that are safe as file names (the API's are digits)
CANDIDATE_ID = re.compile(r"[A-Za-z0-9_-]+")
#: the lecture's split: 4,997 test images out of 40,932
TEST_FRACTION = 4997 / 40932
SPLIT_RULE = (
    "test if int(sha256('nnbench-candidates:' + candidate_id)[:16], 16) / 2**64 "
    f"< {TEST_FRACTION:.6f} (4,997 / 40,932, as in the lecture), else train"
)


def split_for(candidate_id: str) -> str:
    """``"test"`` or ``"train"``, from a hash of the id: stable across rebuilds and machines."""
    digest = hashlib.sha256(f"nnbench-candidates:{candidate_id}".encode()).hexdigest()
    return "test" if int(digest[:16], 16) / 2**64 < TEST_FRACTION else "train"


CACHE_SUFFIX = ".cache"
CACHE_VERSION = 1
#: how to get the photos, in one line: the details are in docs/data.md
HOW_TO_GET = (
    "build them with `nnbench data build candidates --year YEAR` (Vote Smart credentials "
    "needed) or bring your own copy: docs/data.md#candidate-photos"
)


@dataclass(frozen=True)
class Label:
    """One row of labels.csv, checked: the fields are its columns, in order."""

    candidate_id: str
    gender: str
    split: str
    photo_url: str
    sha256: str


LABEL_COLUMNS = tuple(field.name for field in fields(Label))


def coded_gender(value: Any) -> str | None:
    """``Female`` or ``Male`` for Female/Male/F/M in any case, else None."""
    return GENDER_CODES.get(value.strip().lower()) if isinstance(value, str) else None


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


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest.json, or None when there is none (a user's own copy)."""
    path = folder / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # JSON and UTF-8 decoding errors are ValueErrors
        raise DataError(
            f"{path} cannot be read ({exc}). Run `nnbench data build candidates` again to "
            f"rewrite it, or delete {MANIFEST_FILE} if the folder is your own copy."
        ) from exc
    return manifest


def read_labels(folder: Path) -> list[Label]:
    """The rows of ``labels.csv``, each checked, every candidate once."""
    path = folder / LABELS_FILE
    labels: list[Label] = []
    first_lines: dict[str, int] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"candidate_id", "gender"} - set(reader.fieldnames or ())
            if missing:
                raise DataError(
                    f"{path}: missing column(s) {', '.join(sorted(missing))}; the header must "
                    f"be {','.join(LABEL_COLUMNS)} (split, photo_url and sha256 optional)."
                )
            for row in reader:
                label = read_label(row, f"{path}, line {reader.line_num}")
                first = first_lines.setdefault(label.candidate_id, reader.line_num)
                if first != reader.line_num:
                    raise DataError(
                        f"{path}, lines {first} and {reader.line_num}: candidate "
                        f"{label.candidate_id} appears twice; keep one of the two rows."
                    )
                labels.append(label)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path} cannot be read ({exc}); fix the file or rebuild it.") from exc
    return labels


def read_label(row: dict[str, str | None], where: str) -> Label:
    """One checked row of labels.csv; a blank split is taken from :func:`split_for`."""
    candidate_id = (row.get("candidate_id") or "").strip()
    if not CANDIDATE_ID.fullmatch(candidate_id):
        raise DataError(
            f"{where}: candidate_id {candidate_id!r} must be letters, digits, - and _ only, as it "
            f"names the image {IMAGES_DIR}/<candidate_id>.png; rename the row and its image, or "
            "drop the row."
        )
    gender = coded_gender(row.get("gender"))
    if gender is None:
        raise DataError(
            f"{where}: unknown gender {row.get('gender')!r} for candidate {candidate_id}; "
            f"use one of {', '.join(CLASS_NAMES)}, or drop the row."
        )
    split = (row.get("split") or "").strip() or split_for(candidate_id)
    if split not in ("train", "test"):
        raise DataError(f"{where}: split {split!r} must be train, test or blank.")
    photo_url = (row.get("photo_url") or "").strip()
    return Label(candidate_id, gender, split, photo_url, (row.get("sha256") or "").strip().lower())


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


def convert_folder(folder: Path, store: ArrayStore, key: dict) -> None:
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
