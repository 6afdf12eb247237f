"""What the builds of a candidates folder have done so far, and the files that record it.

Besides the loader's files (``labels.csv``, ``images/``, ``manifest.json``) a build keeps
``dropped.csv`` (candidate_id, reason, detail, url) and, when any candidate failed,
``failures.csv`` (candidate_id, stage, reason, url). Every file is written atomically; an image
is always written before its row. Rows are sorted by candidate id: ids made of digits in numeric
order, then any others as strings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import astuple, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from nnbench.datasets.candidates_format import (
    CANDIDATE_ID,
    CLASS_NAMES,
    IMAGE_HEIGHT,
    IMAGE_WIDTH,
    IMAGES_DIR,
    LABEL_COLUMNS,
    LABELS_FILE,
    MANIFEST_FILE,
    SPLIT_RULE,
    Label,
    read_labels,
    read_manifest,
    split_for,
)
from nnbench.datasets.votesmart import APIS
from nnbench.datasets.votesmart.api import VoteSmartApi
from nnbench.datasets.votesmart.credentials import API_CLASSES
from nnbench.datasets.votesmart.listing import (
    SCOPE_FIELDS,
    BuildScope,
    endpoints_called,
    scope_record,
)
from nnbench.datasets.votesmart.outcomes import (
    DROP_GREYSCALE,
    DROP_NO_PHOTO,
    DROP_PHOTO_MISSING,
    DROP_UNCODED_GENDER,
    Dropped,
    Failed,
    Kept,
    Outcome,
)
from nnbench.errors import DataError
from nnbench.files import atomic_write_bytes, atomic_write_text, sha256_file

DROPPED_FILE = "dropped.csv"
FAILURES_FILE = "failures.csv"
DROPPED_COLUMNS = ("candidate_id", "reason", "detail", "url")
FAILURE_COLUMNS = ("candidate_id", "stage", "reason", "url")
#: the summary of a build, in the order it is printed: each candidate tried is in one
SUMMARY_KEYS = (
    "kept",
    DROP_UNCODED_GENDER,
    DROP_NO_PHOTO,
    DROP_PHOTO_MISSING,
    DROP_GREYSCALE,
    "failed",
)

T = TypeVar("T")


class BuildFolder:
    """The kept, dropped and failed candidates of a folder, and what this run did."""

    def __init__(self, folder: Path) -> None:
        """Read the folder as earlier builds left it (an empty one when it does not exist)."""
        self.folder = folder
        self.images = folder / IMAGES_DIR
        self.scopes = recorded_scopes(folder)
        labels = read_labels(folder) if (folder / LABELS_FILE).is_file() else []
        # the split is always the hashed rule that the manifest states
        self.kept = {
            lb.candidate_id: replace(lb, split=split_for(lb.candidate_id)) for lb in labels
        }
        self.damaged = [cid for cid, label in self.kept.items() if not self.image_matches(label)]
        self.dropped = {
            row["candidate_id"]: Dropped(
                row["reason"], row.get("detail") or "", row.get("url") or ""
            )
            for row in read_rows(folder / DROPPED_FILE)
            if row["candidate_id"] not in self.kept and row.get("reason")
        }
        self.failed = {
            row["candidate_id"]: Failed(
                row.get("stage", ""), row.get("reason", ""), row.get("url", "")
            )
            for row in read_rows(folder / FAILURES_FILE)
        }
        self.this_run: Counter[str] = Counter()

    def image_path(self, candidate_id: str) -> Path:
        return self.images / f"{candidate_id}.png"

    def image_matches(self, label: Label) -> bool:
        """Whether ``label``'s image exists with its SHA-256 (any content when that is blank)."""
        path = self.image_path(label.candidate_id)
        return path.is_file() and label.sha256 in ("", sha256_file(path))

    def missing_photos(self) -> list[str]:
        """Candidates dropped because their photo URL answered 403, 404 or 410."""
        return [cid for cid, drop in self.dropped.items() if drop.reason == DROP_PHOTO_MISSING]

    def todo(self, listed: list[str], retry_missing: bool = False) -> list[str]:
        """Listed candidates neither kept nor dropped, earlier failures, damaged images, and with
        ``retry_missing`` the missing photos."""
        new = (cid for cid in listed if cid not in self.kept and cid not in self.dropped)
        again = self.missing_photos() if retry_missing else []
        return list(dict.fromkeys([*new, *self.failed, *self.damaged, *again]))

    def add_scope(self, scope: BuildScope, api: VoteSmartApi) -> None:
        """Record ``scope``, built with ``api``, among those built into the folder, once."""
        record = {**scope_record(scope), "api": api.name}
        if record not in self.scopes:
            self.scopes.append(record)

    def source(self, api: VoteSmartApi) -> dict[str, Any]:
        """The manifest's ``source``: the API of this build, every API and scope built into the
        folder, and the endpoints each API was called at."""
        apis = list(dict.fromkeys(scope["api"] for scope in self.scopes))
        return {
            "api": api.name,
            "apis": apis,
            "api_url": api.url,
            "endpoints": {
                name: endpoints_called(
                    API_CLASSES[name].endpoints, [s for s in self.scopes if s["api"] == name]
                )
                for name in apis
            },
            "scopes": self.scopes,
        }

    def record(self, candidate_id: str, outcome: Outcome) -> None:
        """Note ``outcome``; a kept image is written now, its row at the next checkpoint."""
        for outcomes in (self.kept, self.dropped, self.failed):
            outcomes.pop(candidate_id, None)
        if isinstance(outcome, Kept):
            atomic_write_bytes(self.image_path(candidate_id), outcome.png)
            digest = hashlib.sha256(outcome.png).hexdigest()
            self.kept[candidate_id] = Label(
                candidate_id, outcome.gender, split_for(candidate_id), outcome.photo_url, digest
            )
            self.this_run["kept"] += 1
        elif isinstance(outcome, Dropped):
            self.dropped[candidate_id] = outcome
            self.this_run[outcome.reason] += 1
        else:
            self.failed[candidate_id] = outcome
            self.this_run["failed"] += 1

    def summary(self) -> dict[str, int]:
        """What this run did with the candidates it tried."""
        return {"tried": sum(self.this_run.values())} | {k: self.this_run[k] for k in SUMMARY_KEYS}

    def save(self, complete: bool, api: VoteSmartApi, retry_missing: bool) -> dict[str, Any]:
        """Rewrite labels.csv, dropped.csv, failures.csv (removed when nothing failed) and the
        manifest, which sums up this run as ``last_build``; return the manifest."""
        labels = (astuple(label) for _, label in sorted_items(self.kept))
        atomic_write_text(self.folder / LABELS_FILE, csv_text(LABEL_COLUMNS, labels))
        dropped = ((cid, *astuple(drop)) for cid, drop in sorted_items(self.dropped))
        atomic_write_text(self.folder / DROPPED_FILE, csv_text(DROPPED_COLUMNS, dropped))
        failures = self.folder / FAILURES_FILE
        if self.failed:
            rows = ((cid, *astuple(failed)) for cid, failed in sorted_items(self.failed))
            atomic_write_text(failures, csv_text(FAILURE_COLUMNS, rows))
        else:
            failures.unlink(missing_ok=True)
        manifest = {
            "dataset": "candidates",
            "complete": complete,
            "built_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source": self.source(api),
            "last_build": {
                "api": api.name,
                "retry_missing": retry_missing,
                "summary": self.summary(),
            },
            "image_size": {"width": IMAGE_WIDTH, "height": IMAGE_HEIGHT},
            "class_names": list(CLASS_NAMES),
            "split_rule": SPLIT_RULE,
            "counts": self.counts(),
        }
        atomic_write_text(self.folder / MANIFEST_FILE, json.dumps(manifest, indent=2) + "\n")
        return manifest

    def remove_orphans(self) -> None:
        """Delete images without a row, and temporary files a killed run left behind."""
        for path in self.images.glob("*.png"):
            if path.stem not in self.kept:
                path.unlink()
        for path in self.images.glob(".*.tmp"):
            path.unlink()

    def counts(self) -> dict[str, Any]:
        """The manifest's counts, of the whole folder."""
        splits = Counter(label.split for label in self.kept.values())
        missing = Counter(self.dropped[cid].detail for cid in self.missing_photos())
        return {
            "kept": len(self.kept),
            "kept_by_split": {split: splits[split] for split in ("train", "test")},
            "kept_by_gender": dict(sorted(Counter(lb.gender for lb in self.kept.values()).items())),
            "dropped": dict(sorted(Counter(drop.reason for drop in self.dropped.values()).items())),
            "photo_missing_by_status": dict(sorted(missing.items())),
            "failed": len(self.failed),
            "failed_by_reason": dict(
                sorted(Counter(f.reason for f in self.failed.values()).items())
            ),
        }


def recorded_scopes(folder: Path) -> list[dict[str, Any]]:
    """The scopes that earlier builds recorded in ``folder``'s manifest, each with the API that
    built it (none without a manifest; a scope from before REST API 2.0 was built with the
    classic API)."""
    source = (read_manifest(folder) or {}).get("source", {})
    scopes = source.get("scopes", []) if isinstance(source, dict) else None
    if isinstance(scopes, list) and all(map(is_scope_record, scopes)):
        return [{"api": "classic", **scope} for scope in scopes]
    raise DataError(
        f"{folder / MANIFEST_FILE}: source.scopes is not a list of {{{', '.join(SCOPE_FIELDS)}}} "
        f"records, each with an api of {', '.join(APIS)}. Fix it, or delete {MANIFEST_FILE} (the "
        "build writes a new one)."
    )


def is_scope_record(value: Any) -> bool:
    """Whether ``value`` is a scope as the manifest records it, with or without its API."""
    return (
        isinstance(value, dict)
        and value.keys() - {"api"} == set(SCOPE_FIELDS)
        and value.get("api", "classic") in APIS
    )


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV file with a header whose candidate_id is valid; none if it is missing."""
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = csv.DictReader(handle)
            yield from (row for row in rows if CANDIDATE_ID.fullmatch(row.get("candidate_id", "")))


def csv_text(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document: header, then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def candidate_sort_key(candidate_id: str) -> tuple[int, int, str]:
    """Ids made of digits in numeric order, then any others as strings."""
    if candidate_id.isdigit():
        return (0, int(candidate_id), "")
    return (1, 0, candidate_id)


def sorted_items(mapping: dict[str, T]) -> list[tuple[str, T]]:
    """``mapping``'s items in candidate-id order."""
    return sorted(mapping.items(), key=lambda item: candidate_sort_key(item[0]))
