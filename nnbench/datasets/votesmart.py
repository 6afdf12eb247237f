"""Build the ``candidates`` folder from the Project Vote Smart API.

Steps: list the candidates in a :class:`BuildScope`, ask ``CandidateBio.getBio`` for each one's
gender and photo URL, download the photo, drop the ones that cannot be used, centre-crop and resize
the rest to 110 x 135 RGB, and write the folder format of :mod:`nnbench.datasets.candidates`, plus
``dropped.csv`` (candidate_id, reason) and, when any candidate failed, ``failures.csv``
(candidate_id, stage, reason, url).

Rules:

* Listing: ``years`` gives every candidate of every election that
  ``Election.getElectionByYearState`` returns for each year and state; ``offices`` gives
  ``Candidates.getByOfficeState`` for each office and state, without ``electionYear`` (the API's
  default year). With both, the union; each candidate once. A listing call that still fails
  after the retries, or that answers an API error message other than "nothing found"
  (:data:`NOTHING_FOUND`), stops the build (DataUnavailableError) before it writes anything: a
  partial listing would pass for a smaller dataset. So does a scope that lists no candidate at
  all (ConfigError), which is most likely a mistyped state, year or office.
* Dropped, not failed: a gender that is not Female/Male/F/M (any case), an empty photo URL, a grey
  photo. Grey means a grey Pillow mode (``1``, ``L``, ``LA``, ``I``, ``F``, ``I;16...``) or an
  image whose RGB conversion has a mean per-pixel channel spread (max - min) below
  :data:`GREY_SPREAD_THRESHOLD`, which lets JPEG chroma noise through.
* Failed: a request that still fails after the retries, or one that is not retried (HTTP 4xx
  other than 429, a photo larger than :data:`MAX_PHOTO_BYTES`, a redirect to a URL that is not
  http or https), an API error message for the bio, photo bytes Pillow cannot decode. Failures
  are retried by the next run; they never stop the build.
* Retried (at most ``retries`` times, waiting ``backoff_s * 2**attempt`` seconds, at most
  :data:`MAX_WAIT_S`): timeouts, connection errors, HTTP 5xx, HTTP 429 (waiting ``Retry-After``
  seconds when given, also at most :data:`MAX_WAIT_S`) and malformed JSON.
* Every request, to the API or for a photo, waits its turn so that there are at most
  ``rate_limit`` per second, and uses ``timeout``.
* Cumulative and resumable: a rerun, of the same scope or another, keeps every row the folder
  holds and fetches the listed candidates not yet kept (a labels.csv row whose image exists and
  matches its SHA-256, when given) or dropped (a dropped.csv row), the failures of earlier runs
  (failures.csv) and the kept candidates whose image is missing or changed. labels.csv,
  dropped.csv, failures.csv and manifest.json are rewritten atomically before the first fetch,
  every :data:`CHECKPOINT_EVERY` candidates and when the run stops for any reason; an image is
  always written before its row. manifest.json says ``"complete": false`` until a run has tried
  every candidate (the loader refuses such a folder), lists every scope built into the folder
  and counts the whole folder. A complete run deletes images that have no row.
* Rows are sorted by candidate id: ids made of digits in numeric order, then any others as
  strings; listed ids that do not match :data:`~nnbench.datasets.candidates.CANDIDATE_ID`
  (never seen) are ignored, as they could not be file names. The API key appears in no file and
  no message; recorded URLs leave it out.

API shapes, from the Vote Smart API as the clients that call it read it: python-votesmart
(github.com/votesmart/python-votesmart, ``votesmart.py``), py-votesmart
(github.com/ndanielsen/py-votesmart, ``votesmart/api.py``, ``votesmart/utils.py``,
``votesmart/methods/candidates.py``), go-votesmart (github.com/Freespoke/go-votesmart,
``internal/client.go``, ``votesmarttypes/*.go``, ``testdata/*.json``), the R package votesmart
(github.com/decktools/votesmart, ``R/request.R`` and the recorded responses in
``tests/fixtures/*.yml``) and pvsR (github.com/umatter/pvsR, ``R/CandidateBio.getBio.R``); the
method pages they cite are http://api.votesmart.org/docs/<Class>.html.

* Request: ``GET http://api.votesmart.org/<Class.method>?key=KEY&o=JSON&<params>``.
* ``State.getStateIDs``: ``{"stateList": {"generalInfo": {...}, "list": {"state":
  [{"stateId": "NA", "name": "National"}, {"stateId": "AS", ...}, ...]}}}``.
* ``Election.getElectionByYearState`` (``year``, ``stateId``): ``{"elections": {"generalInfo":
  {...}, "election": [{"electionId": "3128", "name": ..., "stateId": ..., "officeTypeId": ...,
  "special": "f", "electionYear": "2016", "stage": [...]}]}}``.
* ``Candidates.getByElection`` (``electionId``, optional ``stageId``) and
  ``Candidates.getByOfficeState`` (``officeId``, ``stateId``, optional ``electionYear``):
  ``{"candidateList": {"generalInfo": {...}, "candidate": [{"candidateId": "48307",
  "firstName": ..., "lastName": ..., "electionYear": ..., ...}]}}``; the same candidate can appear
  more than once.
* ``CandidateBio.getBio`` (``candidateId``): ``{"bio": {"generalInfo": {...}, "candidate":
  {"candidateId": ..., "photo": "<URL or empty>", "gender": "Male" | "Female" | "", ...},
  "office": {...}, "election": {...}}}``.
* Errors come back with HTTP 200 as ``{"error": {"errorMessage": "..."}}``, e.g. "No offices for
  this office level."; a listing that finds nothing is such an error, so listings read a message
  that matches :data:`NOTHING_FOUND` as empty. None of the sources shows the message for a bad
  key, so a message that mentions a key or authorization, or HTTP 401/403 from the API, is read
  as a rejected key.
* decktools/votesmart repairs some bodies by appending ``}}``: the API can send truncated JSON,
  which this builder retries as malformed JSON.
* A list of one element comes back as the element alone (``"candidate": {...}``, not
  ``[{...}]``), and an empty list can be absent or ``""``; :func:`records` undoes both.
"""

from __future__ import annotations

import csv
import email.message
import hashlib
import http.client
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
from PIL import Image, ImageOps

from nnbench import progress
from nnbench.datasets.candidates import (
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
    coded_gender,
    read_labels,
    read_manifest,
    split_for,
)
from nnbench.datasets.fetch import CHOOSE_DATA_DIR
from nnbench.datasets.images import GREY_MODES
from nnbench.errors import ApiKeyError, ConfigError, DataError, DataUnavailableError
from nnbench.files import atomic_write_bytes, atomic_write_text, sha256_file

DEFAULT_API_URL = "http://api.votesmart.org/"
DROPPED_FILE = "dropped.csv"
FAILURES_FILE = "failures.csv"
DROPPED_COLUMNS = ("candidate_id", "reason")
FAILURE_COLUMNS = ("candidate_id", "stage", "reason", "url")
CHECKPOINT_EVERY = 25
MAX_WAIT_S = 30.0
MAX_PHOTO_BYTES = 20_000_000
#: mean over pixels of (max channel - min channel), 0-255 scale, below which a photo counts as grey
GREY_SPREAD_THRESHOLD = 2.0
DROP_UNCODED_GENDER = "uncoded_gender"
DROP_NO_PHOTO = "no_photo"
DROP_GREYSCALE = "greyscale"
USER_AGENT = "nnbench-candidates-builder"
KEY_HINT = "Set VOTESMART_API_KEY or pass --api-key."
SCOPE_HINT = "Check --state (two-letter ids such as VT), --year and --office"
#: an API error message that means a listing found nothing, e.g. "No candidates found."
NOTHING_FOUND = re.compile(r"\bno\b.*\b(found|for)\b", re.IGNORECASE)
SCOPE_FIELDS = ("states", "years", "offices")

T = TypeVar("T")


@dataclass(frozen=True)
class BuildScope:
    """Which candidates to list."""

    states: tuple[str, ...] | None = None  # two-letter state ids; None = every state
    years: tuple[int, ...] = ()  # election years: every election of the year, every candidate
    offices: tuple[str, ...] = ()  # office ids: Candidates.getByOfficeState(officeId, stateId)


class FetchError(Exception):
    """A request that failed for good; ``url`` never holds the API key."""

    def __init__(self, reason: str, url: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.reason = reason
        self.url = url
        self.status = status


class ApiError(FetchError):
    """A response of the form ``{"error": {"errorMessage": ...}}``."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(f"API error: {message}", url)
        self.message = message


class RedirectRefusedError(Exception):
    """A redirect to a URL that is neither http nor https; the argument is its scheme."""


class HttpOnlyRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https URLs only."""

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
    ) -> http.client.HTTPResponse | None:
        location = headers.get("location") or headers.get("uri") or ""
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, location)).scheme
        if scheme not in ("http", "https"):
            fp.close()
            raise RedirectRefusedError(scheme)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class VoteSmartClient:
    """GET requests to the API and to photo URLs: rate-limited, retried, the key kept private."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        rate_limit: float,
        timeout: float,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.api_url = api_url.rstrip("/") + "/"
        self._key = api_key
        self._interval = 1.0 / rate_limit
        self._timeout = timeout
        self._retries = retries
        self._backoff_s = backoff_s
        self._next_turn = 0.0
        self._opener = urllib.request.build_opener(HttpOnlyRedirectHandler)

    def call(self, method: str, **params: str) -> dict[str, Any]:
        """The JSON object ``method`` returns; raise ApiKeyError, ApiError or FetchError."""
        shown = self.shown_url(method, **params)
        query = urllib.parse.urlencode({"key": self._key, **params, "o": "JSON"})
        try:
            data = self._get(f"{self.api_url}{method}?{query}", shown, json.loads)
        except FetchError as exc:
            if exc.status in (401, 403):
                message = f"The Vote Smart API refused the API key ({exc.reason}). {KEY_HINT}"
                raise ApiKeyError(message) from None
            raise
        if not isinstance(data, dict):
            raise FetchError("unexpected response (not a JSON object)", shown)
        if "error" in data:
            error = data["error"]
            text = error.get("errorMessage", error) if isinstance(error, dict) else error
            message = self._scrub(str(text))
            if "key" in message.lower() or "authoriz" in message.lower():
                raise ApiKeyError(f"The Vote Smart API rejected the API key: {message}. {KEY_HINT}")
            raise ApiError(message, shown)
        return data

    def shown_url(self, method: str, **params: str) -> str:
        """The URL of a call to ``method``, without the key: safe to print and record."""
        return f"{self.api_url}{method}?{urllib.parse.urlencode({**params, 'o': 'JSON'})}"

    def get_photo(self, url: str) -> bytes:
        """The bytes at ``url`` (http or https only, at most MAX_PHOTO_BYTES)."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("unsupported photo URL", url)
        body = self._get(url, url, bytes, max_bytes=MAX_PHOTO_BYTES)
        if len(body) > MAX_PHOTO_BYTES:
            raise FetchError(f"photo larger than {MAX_PHOTO_BYTES / 1e6:g} MB", url)
        return body

    def _get(
        self, url: str, shown: str, parse: Callable[[bytes], T], max_bytes: int | None = None
    ) -> T:
        """GET ``url`` and ``parse`` the body, retrying what may pass; ``shown`` names it.

        With ``max_bytes``, at most ``max_bytes + 1`` bytes of the body are read.
        """
        reason = ""
        for attempt in range(self._retries + 1):
            wait = min(self._backoff_s * 2**attempt, MAX_WAIT_S)
            self._wait_turn()
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with self._opener.open(request, timeout=self._timeout) as response:
                    body = response.read() if max_bytes is None else response.read(max_bytes + 1)
            except RedirectRefusedError as exc:
                message = f"redirected to a {exc}: URL; only http and https are followed"
                raise FetchError(message, shown) from None
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(f"HTTP {exc.code}", shown, exc.code) from None
                reason = f"HTTP {exc.code}"
                asked = retry_after(exc.headers.get("Retry-After"))
                wait = wait if asked is None else asked
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                reason = self._scrub(transient_reason(exc))
            except ValueError:  # a URL urllib cannot use; its message would show the key
                raise FetchError("invalid URL", shown) from None
            else:
                try:
                    return parse(body)
                except ValueError:
                    reason = "malformed JSON"
            if attempt < self._retries:
                time.sleep(wait)
        raise FetchError(reason, shown)

    def _scrub(self, text: str) -> str:
        """``text`` with the API key masked."""
        return text.replace(self._key, "***")

    def _wait_turn(self) -> None:
        """Sleep until the next request may start (at most ``rate_limit`` per second)."""
        now = time.monotonic()
        if now < self._next_turn:
            time.sleep(self._next_turn - now)
        self._next_turn = max(now, self._next_turn) + self._interval


def retry_after(header: str | None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header given in seconds, at most MAX_WAIT_S."""
    try:
        return min(max(float(header), 0.0), MAX_WAIT_S) if header else None
    except ValueError:  # the HTTP-date form: use the backoff instead
        return None


def transient_reason(exc: BaseException) -> str:
    """A short reason for a timeout or connection failure."""
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, TimeoutError):
        return "timed out"
    return f"connection error ({cause})"


def records(value: Any) -> list[dict[str, Any]]:
    """An API list as a list of objects: a lone object is a list of one, absent or "" is empty."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def candidate_sort_key(candidate_id: str) -> tuple[int, int, str]:
    """Ids made of digits in numeric order, then any others as strings."""
    if candidate_id.isdigit():
        return (0, int(candidate_id), "")
    return (1, 0, candidate_id)


def scope_record(scope: BuildScope) -> dict[str, Any]:
    """``scope`` as the manifest records it (its ``SCOPE_FIELDS``)."""
    states = None if scope.states is None else [state.upper() for state in scope.states]
    return {"states": states, "years": list(scope.years), "offices": list(scope.offices)}


def api_methods(scopes: list[dict[str, Any]]) -> list[str]:
    """The API methods that builds of ``scopes`` (manifest records) call, in call order."""
    called = {
        "State.getStateIDs": any(scope["states"] is None for scope in scopes),
        "Election.getElectionByYearState": any(scope["years"] for scope in scopes),
        "Candidates.getByElection": any(scope["years"] for scope in scopes),
        "Candidates.getByOfficeState": any(scope["offices"] for scope in scopes),
        "CandidateBio.getBio": True,
    }
    return [method for method, used in called.items() if used]


def recorded_scopes(folder: Path) -> list[dict[str, Any]]:
    """The scopes that earlier builds recorded in ``folder``'s manifest (none without one)."""
    source = (read_manifest(folder) or {}).get("source")
    scopes = source.get("scopes", []) if isinstance(source, dict) else []
    if isinstance(scopes, list) and all(
        isinstance(scope, dict) and scope.keys() == set(SCOPE_FIELDS) for scope in scopes
    ):
        return scopes
    raise DataError(
        f"{folder / MANIFEST_FILE}: source.scopes is not a list of {{{', '.join(SCOPE_FIELDS)}}} "
        f"records. Fix it, or delete {MANIFEST_FILE} (the build writes a new one)."
    )


def listing(
    client: VoteSmartClient, method: str, outer: str, inner: str, **params: str
) -> list[dict[str, Any]]:
    """The records at ``response[outer][inner]``; none for an API error meaning "nothing found"."""
    try:
        data = client.call(method, **params)
    except ApiError as exc:
        if NOTHING_FOUND.search(exc.message):
            return []
        raise DataUnavailableError(
            f"Cannot list candidates: {exc.url} answered the API error {exc.message!r}. "
            f"{SCOPE_HINT}, and that --api-url is the Vote Smart API, then run the build again; "
            "nothing was written."
        ) from None
    except FetchError as exc:
        raise DataUnavailableError(
            f"Cannot list candidates: {exc.url} failed: {exc.reason}. "
            "Check the network connection and --api-url, then run the build again."
        ) from None
    section = data.get(outer)
    return records(section.get(inner) if isinstance(section, dict) else None)


def list_candidates(client: VoteSmartClient, scope: BuildScope) -> list[str]:
    """The ids of every candidate in ``scope``, each once, in the order found."""
    if scope.states is None:
        state_lists = listing(client, "State.getStateIDs", "stateList", "list")
        states = [str(s.get("stateId", "")) for r in state_lists for s in records(r.get("state"))]
    else:
        states = [state.upper() for state in scope.states]
    found: list[dict[str, Any]] = []
    election_ids: dict[str, None] = {}
    for year in scope.years:
        for state in states:
            elections = listing(
                client,
                "Election.getElectionByYearState",
                "elections",
                "election",
                year=str(year),
                stateId=state,
            )
            election_ids.update((str(e.get("electionId", "")), None) for e in elections)
    for election_id in filter(None, election_ids):
        found += listing(
            client,
            "Candidates.getByElection",
            "candidateList",
            "candidate",
            electionId=election_id,
        )
    for office in scope.offices:
        for state in states:
            found += listing(
                client,
                "Candidates.getByOfficeState",
                "candidateList",
                "candidate",
                officeId=office,
                stateId=state,
            )
    ids = (str(candidate.get("candidateId", "")).strip() for candidate in found)
    return list(dict.fromkeys(cid for cid in ids if CANDIDATE_ID.fullmatch(cid)))


@dataclass(frozen=True)
class Kept:
    """A usable candidate: its label and the PNG to write."""

    gender: str
    photo_url: str
    png: bytes


@dataclass(frozen=True)
class Dropped:
    """A candidate left out on purpose."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A candidate that could not be fetched or decoded this time."""

    stage: str  # "bio", "photo" or "image"
    reason: str
    url: str


Outcome = Kept | Dropped | Failed


def is_greyscale(image: Image.Image, rgb: Image.Image) -> bool:
    """Grey mode, or channels nearly equal after conversion to RGB (``rgb``)."""
    if image.mode in GREY_MODES:
        return True
    pixels = np.asarray(rgb, dtype=np.int16)
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    return float(spread.mean()) < GREY_SPREAD_THRESHOLD


def to_png(rgb: Image.Image) -> bytes:
    """Centre-crop to 110:135, resize to 110 x 135 (Lanczos), encode as PNG."""
    fitted = ImageOps.fit(rgb, (IMAGE_WIDTH, IMAGE_HEIGHT), method=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    fitted.save(buffer, format="PNG")
    return buffer.getvalue()


def process_candidate(client: VoteSmartClient, candidate_id: str) -> Outcome:
    """Fetch one candidate's bio and photo and decide: kept, dropped or failed."""
    try:
        bio = client.call("CandidateBio.getBio", candidateId=candidate_id)
    except FetchError as exc:
        return Failed("bio", exc.reason, exc.url)
    section = bio.get("bio")
    candidate = section.get("candidate") if isinstance(section, dict) else None
    if not isinstance(candidate, dict):
        shown = client.shown_url("CandidateBio.getBio", candidateId=candidate_id)
        return Failed("bio", "unexpected response (no bio.candidate)", shown)
    gender = coded_gender(candidate.get("gender"))
    if gender is None:
        return Dropped(DROP_UNCODED_GENDER)
    photo_url = candidate.get("photo")
    if not isinstance(photo_url, str) or not photo_url.strip():
        return Dropped(DROP_NO_PHOTO)
    photo_url = photo_url.strip()
    try:
        raw = client.get_photo(photo_url)
    except FetchError as exc:
        return Failed("photo", exc.reason, exc.url)
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            image = ImageOps.exif_transpose(opened)
            rgb = image.convert("RGB")
    except Exception as exc:  # Pillow raises many types for bad bytes; none should stop a build
        return Failed("image", f"cannot decode image ({type(exc).__name__})", photo_url)
    if is_greyscale(image, rgb):
        return Dropped(DROP_GREYSCALE)
    return Kept(gender, photo_url, to_png(rgb))


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


class BuildFolder:
    """What the builds of a folder have done so far, and the files that record it."""

    def __init__(self, folder: Path, api_url: str) -> None:
        """Read the folder as earlier builds left it (an empty one when it does not exist)."""
        self.folder = folder
        self.images = folder / IMAGES_DIR
        self.api_url = api_url
        self.scopes = recorded_scopes(folder)
        labels = read_labels(folder) if (folder / LABELS_FILE).is_file() else []
        # the split is always the hashed rule that the manifest states
        self.kept = {
            lb.candidate_id: replace(lb, split=split_for(lb.candidate_id)) for lb in labels
        }
        self.damaged = [cid for cid, label in self.kept.items() if not self.image_matches(label)]
        self.dropped = {
            row["candidate_id"]: row["reason"]
            for row in read_rows(folder / DROPPED_FILE)
            if row["candidate_id"] not in self.kept and row.get("reason")
        }
        self.failed = {
            row["candidate_id"]: Failed(
                row.get("stage", ""), row.get("reason", ""), row.get("url", "")
            )
            for row in read_rows(folder / FAILURES_FILE)
        }

    def image_path(self, candidate_id: str) -> Path:
        return self.images / f"{candidate_id}.png"

    def image_matches(self, label: Label) -> bool:
        """Whether ``label``'s image exists with its SHA-256 (any content when that is blank)."""
        path = self.image_path(label.candidate_id)
        return path.is_file() and label.sha256 in ("", sha256_file(path))

    def todo(self, listed: list[str]) -> list[str]:
        """Listed candidates neither kept nor dropped, earlier failures, damaged images."""
        new = (cid for cid in listed if cid not in self.kept and cid not in self.dropped)
        return list(dict.fromkeys([*new, *self.failed, *self.damaged]))

    def add_scope(self, scope: BuildScope) -> None:
        """Record ``scope`` among the scopes built into the folder, once."""
        record = scope_record(scope)
        if record not in self.scopes:
            self.scopes.append(record)

    def record(self, candidate_id: str, outcome: Outcome) -> None:
        """Note ``outcome``; a kept image is written now, its row at the next checkpoint."""
        for outcomes in (self.kept, self.dropped, self.failed):
            outcomes.pop(candidate_id, None)
        if isinstance(outcome, Kept):
            atomic_write_bytes(self.image_path(candidate_id), outcome.png)
            digest = hashlib.sha256(outcome.png).hexdigest()
            split = split_for(candidate_id)
            self.kept[candidate_id] = Label(
                candidate_id, outcome.gender, split, outcome.photo_url, digest
            )
        elif isinstance(outcome, Dropped):
            self.dropped[candidate_id] = outcome.reason
        else:
            self.failed[candidate_id] = outcome

    def save(self, complete: bool) -> dict[str, Any]:
        """Rewrite labels.csv, dropped.csv, failures.csv (removed when nothing failed) and the
        manifest; return the manifest."""
        labels = (astuple(label) for _, label in sorted_items(self.kept))
        atomic_write_text(self.folder / LABELS_FILE, csv_text(LABEL_COLUMNS, labels))
        atomic_write_text(
            self.folder / DROPPED_FILE, csv_text(DROPPED_COLUMNS, sorted_items(self.dropped))
        )
        failures = self.folder / FAILURES_FILE
        if self.failed:
            rows = ((cid, f.stage, f.reason, f.url) for cid, f in sorted_items(self.failed))
            atomic_write_text(failures, csv_text(FAILURE_COLUMNS, rows))
        else:
            failures.unlink(missing_ok=True)
        manifest = {
            "dataset": "candidates",
            "complete": complete,
            "built_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source": {
                "api_url": self.api_url,
                "api_methods": api_methods(self.scopes),
                "scopes": self.scopes,
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
        return {
            "kept": len(self.kept),
            "kept_by_split": {split: splits[split] for split in ("train", "test")},
            "kept_by_gender": dict(sorted(Counter(lb.gender for lb in self.kept.values()).items())),
            "dropped": dict(sorted(Counter(self.dropped.values()).items())),
            "failed": len(self.failed),
            "failed_by_reason": dict(
                sorted(Counter(f.reason for f in self.failed.values()).items())
            ),
        }


def sorted_items(mapping: dict[str, T]) -> list[tuple[str, T]]:
    """``mapping``'s items in candidate-id order."""
    return sorted(mapping.items(), key=lambda item: candidate_sort_key(item[0]))


def build_candidates(
    folder: Path,
    api_key: str | None,
    scope: BuildScope,
    *,
    api_url: str = DEFAULT_API_URL,
    rate_limit: float = 2.0,
    timeout: float = 30.0,
    retries: int = 3,
    backoff_s: float = 1.0,
) -> dict:
    """Build or resume the candidates folder for ``scope``; return the manifest written."""
    if not api_key:
        raise ApiKeyError(f"No Vote Smart API key. {KEY_HINT}")
    if not scope.years and not scope.offices:
        raise ConfigError("Say which candidates to list: give --year, --office or both.")
    if rate_limit <= 0 or timeout <= 0 or retries < 0 or backoff_s < 0:
        raise ConfigError("rate_limit and timeout must be positive, retries and backoff_s >= 0.")
    client = VoteSmartClient(
        api_url,
        api_key,
        rate_limit=rate_limit,
        timeout=timeout,
        retries=retries,
        backoff_s=backoff_s,
    )
    state = BuildFolder(folder, client.api_url)
    progress.info(f"listing candidates from {client.api_url} ...")
    listed = list_candidates(client, scope)
    if not listed:
        raise ConfigError(
            f"The scope {scope_record(scope)} matched no candidates at {client.api_url}. "
            f"{SCOPE_HINT}; nothing was written."
        )
    try:
        (folder / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"Cannot create the data folder {folder}: {exc.strerror or exc}. {CHOOSE_DATA_DIR}"
        ) from exc
    todo = state.todo(listed)
    progress.info(
        f"listed {len(listed)} candidates; the folder holds {len(state.kept)} kept and "
        f"{len(state.dropped)} dropped; {len(todo)} to fetch"
    )
    state.add_scope(scope)
    state.save(complete=False)
    complete = False
    try:
        for done, candidate_id in enumerate(todo, start=1):
            state.record(candidate_id, process_candidate(client, candidate_id))
            if done % CHECKPOINT_EVERY == 0:
                state.save(complete=False)
                progress.info(
                    f"  {done}/{len(todo)} fetched: {len(state.kept)} kept, "
                    f"{len(state.dropped)} dropped, {len(state.failed)} failed"
                )
        complete = True
        state.remove_orphans()
    finally:
        manifest = state.save(complete)
    counts = manifest["counts"]
    split_counts = counts["kept_by_split"]
    progress.info(
        f"candidates: {counts['kept']} kept ({split_counts['train']} train, "
        f"{split_counts['test']} test), {len(state.dropped)} dropped, {counts['failed']} failed, "
        f"in {folder}"
        + (
            f"; the {counts['failed']} failed are listed in {FAILURES_FILE}, and running the "
            "build again retries them"
            if counts["failed"]
            else ""
        )
    )
    return manifest
