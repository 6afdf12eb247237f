"""The candidates folder format, shared by the loader (:mod:`nnbench.datasets.candidates`) and the
builder (:mod:`nnbench.datasets.votesmart`), which both import it; it imports neither::

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
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from nnbench.errors import DataError

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
