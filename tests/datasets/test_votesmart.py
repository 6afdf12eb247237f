"""The Vote Smart builder against a fake API on 127.0.0.1 that answers in the real JSON shapes."""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import json
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.datasets import votesmart
from nnbench.datasets.candidates import LABEL_COLUMNS, SPLIT_RULE, split_for
from nnbench.datasets.votesmart import BuildScope, build_candidates
from nnbench.errors import ApiKeyError, ConfigError, DataUnavailableError

KEY = "k3y-that-must-stay-private"
SCOPE = BuildScope(states=("VT",), years=(2020,), offices=("5",))
FAST = {"rate_limit": 1000.0, "timeout": 0.5, "retries": 2, "backoff_s": 0.01}
SLOW_S = 1.0  # longer than FAST["timeout"]
GENERAL_INFO = {"title": "Project Vote Smart", "linkBack": "http://votesmart.org/"}


@dataclass
class Person:
    gender: str = "Female"
    photo: str | None = "colour"  # colour, grey_l, grey_rgb, corrupt; None: empty photo URL


def one_or_list(items: list[dict]) -> dict | list[dict]:
    """The API's quirk: a list of one comes back as the element alone."""
    return items[0] if len(items) == 1 else items


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
class FakeApi:
    """Vote Smart's answers, with scripted faults; counts requests per resource."""

    url: str = ""
    states: tuple[str, ...] = ("NA", "VT", "ME")
    people: dict[str, Person] = field(default_factory=dict)
    elections: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    election_candidates: dict[str, list[str]] = field(default_factory=dict)
    office_candidates: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)  # resource -> served first
    hits: Counter = field(default_factory=Counter)  # "bio:ID", "photo:ID" or the method

    def populate(self, people: dict[str, Person]) -> None:
        """Two 2020 elections in VT (the second with one candidate), office 5 repeating two."""
        ids = list(people)
        self.people = people
        self.elections[("2020", "VT")] = ["100", "101"]
        self.election_candidates = {"100": ids[:-1], "101": ids[-1:]}
        self.office_candidates[("5", "VT")] = ids[:2]

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("photos/"):
            resource = "photo:" + path.removeprefix("photos/").removesuffix(".jpg")
        elif query.get("key") != KEY:
            return 200, json.dumps({"error": {"errorMessage": "Authorization failed"}}).encode(), {}
        else:
            resource = f"bio:{query['candidateId']}" if "candidateId" in query else path
        self.hits[resource] += 1
        queued = self.faults.get(resource)
        fault = queued.pop(0) if queued else None
        if fault == "slow":
            time.sleep(SLOW_S)
        elif fault in ("404", "429", "500"):
            return int(fault), b"fault", {"Retry-After": "0"}
        elif fault == "bad-json":
            return 200, b'{"bio": {"candidate": {"gender": "Fem', {}
        if resource.startswith("photo:"):
            cid = resource.removeprefix("photo:")
            return 200, photo_bytes(cid, self.people[cid].photo), {"Content-Type": "image/jpeg"}
        body = self.body(path, query)
        return 200, json.dumps(body).encode(), {"Content-Type": "application/json"}

    def body(self, path: str, query: dict[str, str]) -> dict:
        def candidates(ids: list[str]) -> dict:
            found = [{"candidateId": cid, "firstName": "A", "lastName": "B"} for cid in ids]
            if not found:
                return {"error": {"errorMessage": "No candidates found."}}
            return {"candidateList": {"generalInfo": GENERAL_INFO, "candidate": one_or_list(found)}}

        if path == "State.getStateIDs":
            states = [{"stateId": s, "name": s} for s in self.states]
            return {"stateList": {"generalInfo": GENERAL_INFO, "list": {"state": states}}}
        if path == "Election.getElectionByYearState":
            ids = self.elections.get((query["year"], query["stateId"]), [])
            if not ids:
                return {"error": {"errorMessage": "No elections found."}}
            found = [
                {"electionId": e, "name": "General", "electionYear": query["year"]} for e in ids
            ]
            return {"elections": {"generalInfo": GENERAL_INFO, "election": one_or_list(found)}}
        if path == "Candidates.getByElection":
            return candidates(self.election_candidates.get(query["electionId"], []))
        if path == "Candidates.getByOfficeState":
            return candidates(self.office_candidates.get((query["officeId"], query["stateId"]), []))
        person = self.people[query["candidateId"]]
        photo = f"{self.url}photos/{query['candidateId']}.jpg" if person.photo else ""
        candidate = {"candidateId": query["candidateId"], "gender": person.gender, "photo": photo}
        return {"bio": {"generalInfo": GENERAL_INFO, "candidate": candidate, "office": {}}}


@pytest.fixture
def api() -> Iterator[FakeApi]:
    """A fake Vote Smart API served on 127.0.0.1."""
    fake = FakeApi()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            status, body, headers = fake.answer(
                parts.path.lstrip("/"), dict(urllib.parse.parse_qsl(parts.query))
            )
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda *args: None  # a client that timed out has hung up
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def build(api: FakeApi, folder: Path, scope: BuildScope = SCOPE, key: str | None = KEY) -> dict:
    return build_candidates(folder, key, scope, api_url=api.url, **FAST)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def assert_key_absent(folder: Path) -> None:
    for path in folder.rglob("*"):
        assert path.is_dir() or KEY.encode() not in path.read_bytes(), path


def folder_contents(folder: Path) -> dict[str, bytes]:
    """Every file but the manifest (its build date differs), by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


def test_a_normal_build_writes_the_folder_format(api: FakeApi, tmp_path: Path, capsys):
    genders = {"7": "Female", "12": "Male", "40": "F", "105": "m", "230": "female", "1001": "MALE"}
    api.populate({cid: Person(gender) for cid, gender in genders.items()})
    scope = BuildScope(years=(2020,), offices=("5",))  # every state: State.getStateIDs
    manifest = build(api, tmp_path / "c", scope)

    folder = tmp_path / "c"
    ids = ["7", "12", "40", "105", "230", "1001"]  # numeric order
    rows = read_csv(folder / "labels.csv")
    assert rows[0] == list(LABEL_COLUMNS)
    expected_gender = ["Female", "Male", "Female", "Male", "Female", "Male"]
    for row, cid, gender in zip(rows[1:], ids, expected_gender, strict=True):
        png = (folder / "images" / f"{cid}.png").read_bytes()
        assert row == [cid, gender, split_for(cid), f"{api.url}photos/{cid}.jpg",
                       hashlib.sha256(png).hexdigest()]  # fmt: skip
        with Image.open(io.BytesIO(png)) as image:
            assert (image.format, image.mode, image.size) == ("PNG", "RGB", (110, 135))
            pixels = np.asarray(image).astype(int)
        # centre-cropped, not squashed: the green edge bands are gone; red left, blue right
        assert (pixels[:, :, 1] < 100).all()
        assert pixels[:, 0, 0].min() > 120 and pixels[:, -1, 2].min() > 150
    splits = Counter(split_for(cid) for cid in ids)
    assert manifest["counts"] == {
        "listed": 6,
        "kept": 6,
        "kept_by_split": {"train": splits["train"], "test": splits["test"]},
        "kept_by_gender": {"Female": 3, "Male": 3},
        "dropped": {},
        "failed": {},
    }
    assert manifest["complete"] is True
    assert manifest["split_rule"] == SPLIT_RULE
    assert manifest["image_size"] == {"width": 110, "height": 135}
    assert manifest["source"] == {
        "api_url": api.url,
        "api_methods": [
            "State.getStateIDs",
            "Election.getElectionByYearState",
            "Candidates.getByElection",
            "Candidates.getByOfficeState",
            "CandidateBio.getBio",
        ],
        "scope": {"states": None, "years": [2020], "offices": ["5"]},
    }
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    assert read_csv(folder / "dropped.csv") == [["candidate_id", "reason"]]
    assert not (folder / "failures.csv").exists()
    assert api.hits["State.getStateIDs"] == 1
    assert api.hits["Election.getElectionByYearState"] == 3  # NA, VT, ME
    assert all(api.hits[f"bio:{cid}"] == api.hits[f"photo:{cid}"] == 1 for cid in ids)
    out, err = capsys.readouterr()
    assert out == ""
    assert "6 kept" in err and KEY not in err
    assert_key_absent(folder)


def test_uncoded_gender_missing_photo_and_grey_photos_are_dropped(api: FakeApi, tmp_path: Path):
    api.populate(
        {
            "1": Person(gender=""),
            "2": Person(gender="Unknown"),
            "3": Person(photo=None),
            "4": Person(photo="grey_l"),
            "5": Person(photo="grey_rgb"),
            "6": Person(),
        }
    )
    manifest = build(api, tmp_path / "c")

    folder = tmp_path / "c"
    assert read_csv(folder / "dropped.csv")[1:] == [
        ["1", "uncoded_gender"],
        ["2", "uncoded_gender"],
        ["3", "no_photo"],
        ["4", "greyscale"],
        ["5", "greyscale"],
    ]
    assert manifest["counts"]["dropped"] == {"greyscale": 2, "no_photo": 1, "uncoded_gender": 2}
    assert manifest["counts"]["kept"] == 1
    assert [row[0] for row in read_csv(folder / "labels.csv")[1:]] == ["6"]
    assert sorted(p.name for p in (folder / "images").iterdir()) == ["6.png"]
    assert [api.hits[f"photo:{cid}"] for cid in "123456"] == [0, 0, 0, 1, 1, 1]


def test_transient_faults_are_retried_until_they_pass(api: FakeApi, tmp_path: Path):
    api.populate({cid: Person() for cid in "1234"})
    api.faults = {"bio:1": ["500"], "photo:2": ["slow"], "bio:3": ["bad-json"], "photo:4": ["429"]}
    manifest = build(api, tmp_path / "c")

    assert manifest["counts"]["kept"] == 4 and manifest["counts"]["failed"] == {}
    assert not (tmp_path / "c" / "failures.csv").exists()
    assert [api.hits[name] for name in ("bio:1", "photo:2", "bio:3", "photo:4")] == [2, 2, 2, 2]


def test_lasting_faults_are_recorded_and_retried_by_the_next_run(api: FakeApi, tmp_path: Path):
    api.populate({cid: Person(photo="corrupt" if cid == "5" else "colour") for cid in "123456"})
    api.faults = {
        "bio:1": ["404"],
        "bio:2": ["500"] * 3,
        "photo:3": ["slow"] * 3,
        "bio:4": ["bad-json"] * 3,
    }
    manifest = build(api, tmp_path / "c")

    folder = tmp_path / "c"
    bio = f"{api.url}CandidateBio.getBio?candidateId="
    assert read_csv(folder / "failures.csv") == [
        ["candidate_id", "stage", "reason", "url"],
        ["1", "bio", "HTTP 404", f"{bio}1&o=JSON"],
        ["2", "bio", "HTTP 500", f"{bio}2&o=JSON"],
        ["3", "photo", "timed out", f"{api.url}photos/3.jpg"],
        ["4", "bio", "malformed JSON", f"{bio}4&o=JSON"],
        ["5", "image", "cannot decode image (UnidentifiedImageError)", f"{api.url}photos/5.jpg"],
    ]
    assert manifest["counts"]["failed"] == {
        "HTTP 404": 1,
        "HTTP 500": 1,
        "cannot decode image (UnidentifiedImageError)": 1,
        "malformed JSON": 1,
        "timed out": 1,
    }
    assert manifest["counts"]["kept"] == 1
    # 404 and undecodable bytes are not retried; the others are, twice (retries=2)
    assert [api.hits[f"bio:{c}"] for c in "1245"] == [1, 3, 3, 1]
    assert api.hits["photo:3"] == 3 and api.hits["photo:5"] == 1
    assert_key_absent(folder)

    manifest = build(api, folder)  # the faults are over: failed candidates are fetched again
    assert manifest["counts"]["kept"] == 5
    assert manifest["counts"]["failed"] == {"cannot decode image (UnidentifiedImageError)": 1}
    assert [api.hits[f"bio:{c}"] for c in "1246"] == [2, 4, 4, 1]


def test_an_interrupted_build_resumes_without_refetching(api: FakeApi, tmp_path: Path, monkeypatch):
    api.populate({cid: Person(gender="" if cid == "2" else "Male") for cid in "12345678"})
    real_get_photo = votesmart.VoteSmartClient.get_photo
    photos_asked = []

    def interrupt_at_fourth_photo(client, url: str) -> bytes:
        photos_asked.append(url)
        if len(photos_asked) == 4:
            raise KeyboardInterrupt
        return real_get_photo(client, url)

    monkeypatch.setattr(votesmart.VoteSmartClient, "get_photo", interrupt_at_fourth_photo)
    folder = tmp_path / "c"
    with pytest.raises(KeyboardInterrupt):
        build(api, folder)

    # a consistent folder: every row has its image, the drop is recorded, the manifest says so
    rows = read_csv(folder / "labels.csv")[1:]
    assert [row[0] for row in rows] == ["1", "3", "4"]
    for row in rows:
        assert (
            hashlib.sha256((folder / "images" / f"{row[0]}.png").read_bytes()).hexdigest() == row[4]
        )
    assert read_csv(folder / "dropped.csv")[1:] == [["2", "uncoded_gender"]]
    assert json.loads((folder / "manifest.json").read_text())["complete"] is False

    monkeypatch.undo()
    (folder / "images" / "3.png").write_bytes(b"damaged")  # wrong SHA-256: fetched again
    (folder / "images" / "999.png").write_bytes(b"orphan")
    (folder / "images" / ".6.png.x1.tmp").write_bytes(b"left by a killed run")
    manifest = build(api, folder)

    assert manifest["complete"] is True and manifest["counts"]["kept"] == 7
    assert [api.hits[f"bio:{c}"] for c in "12345678"] == [1, 1, 2, 1, 2, 1, 1, 1]
    assert [api.hits[f"photo:{c}"] for c in "1345678"] == [1, 2, 1, 1, 1, 1, 1]
    clean = tmp_path / "clean"
    clean_manifest = build(api, clean)
    assert folder_contents(folder) == folder_contents(clean)
    assert manifest["counts"] == clean_manifest["counts"]


def test_requests_keep_to_the_rate_limit(api: FakeApi, tmp_path: Path):
    api.populate({cid: Person() for cid in "123"})
    started = time.monotonic()
    build_candidates(tmp_path / "c", KEY, SCOPE, api_url=api.url, **{**FAST, "rate_limit": 40.0})
    elapsed = time.monotonic() - started
    assert sum(api.hits.values()) == 10  # 4 listing calls, 3 bios, 3 photos
    assert elapsed >= 9 / 40


def test_a_missing_key_stops_before_any_request(api: FakeApi, tmp_path: Path):
    api.populate({"1": Person()})
    for key in (None, ""):
        with pytest.raises(ApiKeyError, match="VOTESMART_API_KEY or pass --api-key"):
            build(api, tmp_path / "c", key=key)
    assert sum(api.hits.values()) == 0
    assert not (tmp_path / "c").exists()


def test_a_rejected_key_is_an_api_key_error_that_does_not_show_it(api: FakeApi, tmp_path: Path):
    api.populate({"1": Person()})
    with pytest.raises(ApiKeyError, match="rejected the API key: Authorization failed") as caught:
        build(api, tmp_path / "c", key="not-the-key")
    assert "not-the-key" not in str(caught.value)
    assert "VOTESMART_API_KEY" in str(caught.value)


def test_an_unreachable_api_is_data_unavailable(api: FakeApi, tmp_path: Path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api.url = f"http://127.0.0.1:{port}/"
    with pytest.raises(DataUnavailableError) as caught:
        build(api, tmp_path / "c")
    message = str(caught.value)
    assert f"{api.url}Election.getElectionByYearState?year=2020&stateId=VT&o=JSON" in message
    assert "connection error" in message and KEY not in message


def test_a_scope_needs_a_year_or_an_office(api: FakeApi, tmp_path: Path):
    with pytest.raises(ConfigError, match="--year, --office"):
        build(api, tmp_path / "c", BuildScope(states=("VT",)))
    assert sum(api.hits.values()) == 0
