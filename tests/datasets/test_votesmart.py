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
from nnbench.errors import ApiKeyError, ConfigError, DataError, DataUnavailableError

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
    #: resource -> faults served first: "slow", "bad-json", "404", "500", "429" or
    #: "429:<Retry-After>", "error:<API error message>", "redirect:<Location>"
    faults: dict[str, list[str]] = field(default_factory=dict)
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
        fault, _, argument = (queued.pop(0) if queued else "").partition(":")
        if fault == "slow":
            time.sleep(SLOW_S)
        elif fault in ("404", "429", "500"):
            return int(fault), b"fault", {"Retry-After": argument} if argument else {}
        elif fault == "bad-json":
            return 200, b'{"bio": {"candidate": {"gender": "Fem', {}
        elif fault == "error":
            return 200, json.dumps({"error": {"errorMessage": argument}}).encode(), {}
        elif fault == "redirect":
            return 302, b"", {"Location": argument}
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


def folder_contents(folder: Path, but: tuple[str, ...] = ("manifest.json",)) -> dict[str, bytes]:
    """Every file but those named in ``but`` (the manifest's build date differs), by path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in but
    }


class Clock:
    """Stands in for votesmart's ``time``: records sleeps; a minute passes between readings, so
    the rate limit never waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        self.now += 60.0
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


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
        "kept": 6,
        "kept_by_split": {"train": splits["train"], "test": splits["test"]},
        "kept_by_gender": {"Female": 3, "Male": 3},
        "dropped": {},
        "failed": 0,
        "failed_by_reason": {},
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
        "scopes": [{"states": None, "years": [2020], "offices": ["5"]}],
    }
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    assert read_csv(folder / "dropped.csv") == [["candidate_id", "reason"]]
    assert not (folder / "failures.csv").exists()
    assert api.hits["State.getStateIDs"] == 1
    assert api.hits["Election.getElectionByYearState"] == 3  # NA, VT, ME
    assert all(api.hits[f"bio:{cid}"] == api.hits[f"photo:{cid}"] == 1 for cid in ids)
    out, err = capsys.readouterr()
    assert out == ""
    assert "6 kept" in err and "0 failed" in err and "retries" not in err and KEY not in err
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

    assert manifest["counts"]["kept"] == 4 and manifest["counts"]["failed"] == 0
    assert not (tmp_path / "c" / "failures.csv").exists()
    assert [api.hits[name] for name in ("bio:1", "photo:2", "bio:3", "photo:4")] == [2, 2, 2, 2]


def test_lasting_faults_are_recorded_and_retried_by_the_next_run(
    api: FakeApi, tmp_path: Path, capsys
):
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
    assert manifest["counts"]["failed"] == 5
    assert manifest["counts"]["failed_by_reason"] == {
        "HTTP 404": 1,
        "HTTP 500": 1,
        "cannot decode image (UnidentifiedImageError)": 1,
        "malformed JSON": 1,
        "timed out": 1,
    }
    assert manifest["counts"]["kept"] == 1
    assert manifest["complete"] is True  # every candidate was tried
    assert (
        f"5 failed, in {folder}; the 5 failed are listed in failures.csv, and running the build "
        "again retries them"
    ) in capsys.readouterr().err
    # 404 and undecodable bytes are not retried; the others are, twice (retries=2)
    assert [api.hits[f"bio:{c}"] for c in "1245"] == [1, 3, 3, 1]
    assert api.hits["photo:3"] == 3 and api.hits["photo:5"] == 1
    assert_key_absent(folder)

    manifest = build(api, folder)  # the faults are over: failed candidates are fetched again
    assert manifest["counts"]["kept"] == 5
    assert manifest["counts"]["failed"] == 1
    assert manifest["counts"]["failed_by_reason"] == {
        "cannot decode image (UnidentifiedImageError)": 1
    }
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


def test_retry_waits_follow_retry_after_and_the_backoff_both_capped(api: FakeApi, monkeypatch):
    api.populate({"1": Person()})
    api.faults = {"photo:1": ["429:3600", "429:Wed, 21 Oct 2015 07:28:00 GMT", "500", "500"]}
    clock = Clock()
    monkeypatch.setattr(votesmart, "time", clock)
    client = votesmart.VoteSmartClient(
        api.url, KEY, rate_limit=1.0, timeout=5.0, retries=4, backoff_s=4.0
    )
    assert client.get_photo(f"{api.url}photos/1.jpg") == photo_bytes("1", "colour")
    # Retry-After 3600 s: MAX_WAIT_S; an HTTP date: the backoff 4 * 2**1; then 4 * 2**2, and
    # 4 * 2**3 = 32 capped
    assert clock.sleeps == [votesmart.MAX_WAIT_S, 8.0, 16.0, votesmart.MAX_WAIT_S]
    assert api.hits["photo:1"] == 5


def test_big_photos_and_redirects_off_http_fail_without_retries(
    api: FakeApi, tmp_path: Path, monkeypatch
):
    api.populate({cid: Person() for cid in "123"})
    cap = len(photo_bytes("2", "colour"))
    assert len(photo_bytes("1", "colour")) > cap
    monkeypatch.setattr(votesmart, "MAX_PHOTO_BYTES", cap)
    api.faults = {
        "photo:2": [f"redirect:{api.url}photos/2.jpg"],  # http: followed
        "photo:3": ["redirect:file:///etc/passwd"],
    }
    manifest = build(api, tmp_path / "c")

    assert read_csv(tmp_path / "c" / "failures.csv")[1:] == [
        ["1", "photo", f"photo larger than {cap / 1e6:g} MB", f"{api.url}photos/1.jpg"],
        [
            "3",
            "photo",
            "redirected to a file: URL; only http and https are followed",
            f"{api.url}photos/3.jpg",
        ],
    ]
    assert [row[0] for row in read_csv(tmp_path / "c" / "labels.csv")[1:]] == ["2"]
    assert manifest["counts"]["failed"] == 2
    assert [api.hits[f"photo:{cid}"] for cid in "123"] == [1, 2, 1]


def test_a_scope_that_matches_nothing_stops_and_leaves_the_folder_as_it_was(
    api: FakeApi, tmp_path: Path
):
    api.populate({cid: Person() for cid in "1234"})
    folder = tmp_path / "c"
    build(api, folder)
    before, hits_before = folder_contents(folder, but=()), api.hits.copy()
    mistyped = BuildScope(states=("VX",), years=(2020,), offices=("5",))
    with pytest.raises(ConfigError) as caught:
        build(api, folder, mistyped)
    assert str(caught.value) == (
        "The scope {'states': ['VX'], 'years': [2020], 'offices': ['5']} matched no candidates "
        f"at {api.url}. Check --state (two-letter ids such as VT), --year and --office; nothing "
        "was written."
    )
    assert folder_contents(folder, but=()) == before  # manifest included: byte-identical
    assert api.hits - hits_before == Counter(
        {"Election.getElectionByYearState": 1, "Candidates.getByOfficeState": 1}
    )
    with pytest.raises(ConfigError, match="matched no candidates"):
        build(api, tmp_path / "new", mistyped)
    assert not (tmp_path / "new").exists()


def test_a_rerun_with_another_scope_adds_to_the_folder_and_keeps_what_it_held(
    api: FakeApi, tmp_path: Path
):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"bio:3": ["404"]}
    folder = tmp_path / "c"
    vermont = BuildScope(states=("VT",), years=(2020,))
    first = build(api, folder, vermont)
    assert (first["counts"]["kept"], first["counts"]["failed"]) == (2, 1)
    vermont_pngs = {cid: (folder / "images" / f"{cid}.png").read_bytes() for cid in "12"}

    api.people.update({"41": Person(gender="M"), "42": Person(gender="")})
    api.elections[("2020", "ME")] = ["200"]
    api.election_candidates["200"] = ["41", "42"]
    manifest = build(api, folder, BuildScope(states=("me",), years=(2020,)))

    rows = read_csv(folder / "labels.csv")[1:]
    assert [row[:2] for row in rows] == [["1", "Female"], ["2", "Female"], ["3", "Female"],
                                         ["41", "Male"]]  # fmt: skip
    assert all(
        (folder / "images" / f"{c}.png").read_bytes() == png for c, png in vermont_pngs.items()
    )
    assert sorted(path.name for path in (folder / "images").iterdir()) == [
        "1.png", "2.png", "3.png", "41.png"
    ]  # fmt: skip
    assert read_csv(folder / "dropped.csv")[1:] == [["42", "uncoded_gender"]]
    assert not (folder / "failures.csv").exists()  # candidate 3 was retried, though not listed
    assert [api.hits[f"bio:{cid}"] for cid in ("1", "2", "3", "41", "42")] == [1, 1, 2, 1, 1]
    assert manifest["counts"]["kept"] == 4 and manifest["counts"]["failed"] == 0
    scopes = [
        {"states": ["VT"], "years": [2020], "offices": []},
        {"states": ["ME"], "years": [2020], "offices": []},
    ]
    assert manifest["source"]["scopes"] == scopes
    assert manifest["source"]["api_methods"] == [
        "Election.getElectionByYearState",
        "Candidates.getByElection",
        "CandidateBio.getBio",
    ]
    again = build(api, folder, vermont)  # a scope already recorded is not added again
    assert again["source"]["scopes"] == scopes
    assert again["counts"] == manifest["counts"]


@pytest.mark.parametrize(
    "message", ["No candidates found.", "No offices for this office level.", "no elections found"]
)
def test_a_listing_error_that_means_nothing_found_is_an_empty_listing(
    api: FakeApi, tmp_path: Path, message: str
):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"Candidates.getByOfficeState": [f"error:{message}"]}
    manifest = build(api, tmp_path / "c")
    assert manifest["counts"]["kept"] == 3
    assert api.hits["Candidates.getByOfficeState"] == 1


def test_any_other_api_error_in_a_listing_stops_the_build(api: FakeApi, tmp_path: Path):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"Candidates.getByElection": ["error:Invalid parameter: electionId"]}
    with pytest.raises(DataUnavailableError) as caught:
        build(api, tmp_path / "c")
    assert str(caught.value) == (
        f"Cannot list candidates: {api.url}Candidates.getByElection?electionId=100&o=JSON "
        "answered the API error 'Invalid parameter: electionId'. Check --state (two-letter ids "
        "such as VT), --year and --office, and that --api-url is the Vote Smart API, then run "
        "the build again; nothing was written."
    )
    assert not (tmp_path / "c").exists()


def test_a_malformed_labels_file_stops_the_build_before_any_request(api: FakeApi, tmp_path: Path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "labels.csv").write_text("candidate_id,gender\n7,Male\n8,Female\n7,Male\n")
    with pytest.raises(DataError, match=r"labels.csv, lines 2 and 4: candidate 7 appears twice"):
        build(api, folder)
    assert sum(api.hits.values()) == 0
