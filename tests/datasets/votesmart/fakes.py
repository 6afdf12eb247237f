"""A fake Vote Smart on 127.0.0.1: what it knows (:class:`World`), scripted faults, request
counts, and a server that both fake APIs share. The answers' shapes live in ``recorded.py``
(the classic API, from recordings of the live service) and ``inferred.py`` (REST API 2.0,
inferred from public client code)."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nnbench.datasets.votesmart.build import build_candidates
from nnbench.datasets.votesmart.credentials import Credentials
from nnbench.datasets.votesmart.listing import BuildScope

KEY = "k3y-that-must-stay-private"
EMAIL = "researcher.secret@example.org"
PASSWORD = "pa55word-that-must-stay-private"
TOKEN = "ready-token-that-must-stay-private"
#: every credential a test uses, and the prefix of every token the fake issues
SECRETS = (KEY, EMAIL, PASSWORD, TOKEN, "issued-jwt-")
SLOW_S = 1.0  # longer than the tests' timeout
FAST = {"rate_limit": 1000.0, "timeout": 0.5, "retries": 2, "backoff_s": 0.01}
SCOPE = BuildScope(states=("VT",), years=(2020,), offices=("5",))


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Person:
    gender: str = "Female"
    photo: str | None = "colour"  # colour, grey_l, grey_rgb, corrupt; None: empty photo URL


def photo_bytes(candidate_id: str, kind: str) -> bytes:
    """A 160 x 120 JPEG: colour (red | blue halves, green 20-px bands at both edges) or grey."""
    if kind == "corrupt":
        return b"these bytes are not an image"
    if kind == "colour":
        pixels = np.zeros((120, 160, 3), np.uint8)
        pixels[:, :80] = (150 + int(candidate_id) % 100, 30, 30)
        pixels[:, 80:] = (30, 30, 200)
        pixels[:, :20] = pixels[:, 140:] = (30, 220, 30)
        image = Image.fromarray(pixels, "RGB")
    else:
        grey = np.tile(np.linspace(20, 230, 160, dtype=np.uint8), (120, 1))
        image = Image.fromarray(grey, "L")
        if kind == "grey_rgb":
            image = Image.fromarray(np.stack([grey] * 3, axis=2), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class World:
    """What Vote Smart knows, and the faults and counts of the fake that serves it.

    Resources (the keys of ``hits`` and ``faults``) are named alike for both APIs: "states",
    "elections", "by_election", "by_office_state", "bio:ID", "photo:ID" and "login". Faults are
    served first, one per request: "slow", "bad-json" (cut mid-string), "401", "403", "404", "410", "500",
    "502", "503", "429" or "429:<Retry-After>", "redirect:<Location>", and each API's own (see its module).
    """

    api_name = ""  # "classic" or "rest2", as the manifest records it
    url: str = ""
    states: tuple[str, ...] = ("NA", "VT", "ME")
    people: dict[str, Person] = field(default_factory=dict)
    elections: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    election_candidates: dict[str, list[str]] = field(default_factory=dict)
    office_candidates: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    #: the headers of every photo request, to check that no credential goes to the photo host
    photo_headers: list[dict[str, str]] = field(default_factory=list)

    def populate(self, people: dict[str, Person]) -> None:
        """Two 2020 elections in VT (the second with one candidate), office 5 repeating two."""
        ids = list(people)
        self.people = people
        self.elections[("2020", "VT")] = ["100", "101"]
        self.election_candidates = {"100": ids[:-1], "101": ids[-1:]}
        self.office_candidates[("5", "VT")] = ids[:2]

    def photo_url(self, candidate_id: str) -> str:
        """Where the bio says the photo is (like http://static.votesmart.org/canphoto/ID.jpg)."""
        return f"{self.url}canphoto/{candidate_id}.jpg" if self.people[candidate_id].photo else ""

    def fault(self, resource: str) -> tuple[str, str]:
        """The next scripted fault of ``resource`` (and counts the request): (kind, argument)."""
        self.hits[resource] += 1
        queued = self.faults.get(resource)
        kind, _, argument = (queued.pop(0) if queued else "").partition(":")
        return kind, argument

    def common_fault(self, kind: str, argument: str) -> Response | None:
        """The answer to a fault both APIs give alike; None for no such fault."""
        if kind == "slow":
            time.sleep(SLOW_S)
        elif kind in ("401", "403", "404", "410", "429", "500", "502", "503"):
            return Response(int(kind), b"fault", {"Retry-After": argument} if argument else {})
        elif kind == "redirect":
            return Response(302, b"", {"Location": argument})
        return None

    def photo(self, candidate_id: str, headers: dict[str, str]) -> Response:
        self.photo_headers.append(headers)
        kind, argument = self.fault(f"photo:{candidate_id}")
        faulted = self.common_fault(kind, argument)
        if faulted is not None:
            return faulted
        body = photo_bytes(candidate_id, self.people[candidate_id].photo or "colour")
        return Response(200, body, {"Content-Type": "image/jpeg"})

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
               body: bytes) -> Response:  # fmt: skip
        """The fake API's answer; each API overrides it."""
        raise NotImplementedError


def json_response(value: object, status: int = 200, escape_slashes: bool = False) -> Response:
    text = json.dumps(value, separators=(",", ":"))
    if escape_slashes:  # PHP's json_encode, as the classic API's recordings show
        text = text.replace("/", "\\/")
    return Response(status, text.encode(), {"Content-Type": "application/json"})


@contextmanager
def serve(world: World) -> Iterator[World]:
    """Serve ``world`` on 127.0.0.1 and set its ``url``; photos are under ``canphoto/``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            path = parts.path.lstrip("/")
            headers = dict(self.headers.items())
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if path.startswith("canphoto/"):
                answer = world.photo(path.removeprefix("canphoto/").removesuffix(".jpg"), headers)
            else:
                query = dict(urllib.parse.parse_qsl(parts.query))
                answer = world.answer(self.command, path, query, headers, body)
            self.send_response(answer.status)
            for name, value in {**answer.headers, "Content-Length": str(len(answer.body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = handle_any

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda *args: None  # a client that timed out has hung up
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    world.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield world
    finally:
        server.shutdown()
        server.server_close()


def credentials_for(world: World) -> Credentials:
    """The credentials that ``world``'s API accepts: a key for classic, a login for REST 2.0."""
    if world.api_name == "classic":
        return Credentials(api_key=KEY)
    return Credentials(email=EMAIL, password=PASSWORD)


def build(world: World, folder: Path, scope: BuildScope = SCOPE, **options: Any) -> dict:
    """``build_candidates`` against ``world``, fast, with the credentials it accepts."""
    options = {**FAST, "api_url": world.url, **options}
    return build_candidates(
        folder, options.pop("credentials", credentials_for(world)), scope, **options
    )


def assert_no_secret(*found: str | bytes | BaseException, folder: Path | None = None) -> None:
    """No credential, and no token the fake issued, in ``found`` (texts, or exceptions with
    every exception they chain to and every attribute they hold) or in any file under
    ``folder``."""
    texts: list[str | bytes] = []
    for item in found:
        while isinstance(item, BaseException):
            texts += [str(item), repr(item.args), repr(vars(item))]
            item = item.__cause__ or item.__context__
        if item is not None:
            texts.append(item)
    if folder is not None:
        texts += [path.read_bytes() for path in folder.rglob("*") if path.is_file()]
    for text in texts:
        raw = text.encode() if isinstance(text, str) else text
        assert not any(secret.encode() in raw for secret in SECRETS), raw[:300]


ENDPOINTS = {
    "classic": [
        "State.getStateIDs",
        "Election.getElectionByYearState",
        "Candidates.getByElection",
        "Candidates.getByOfficeState",
        "CandidateBio.getBio",
    ],
    "rest2": [
        "GET /v1/states",
        "GET /v1/elections/by-year-state",
        "GET /v1/candidates/by-election",
        "GET /v1/candidates/by-office-state",
        "GET /v1/candidatebios/{id}",
    ],
}


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def folder_contents(folder: Path, but: tuple[str, ...] = ("manifest.json",)) -> dict[str, bytes]:
    """Every file but those named in ``but`` (the manifest's build date differs), by path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in but
    }
