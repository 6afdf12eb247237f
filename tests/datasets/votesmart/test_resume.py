"""Builds that meet faults, stop, resume and widen: what is retried now, what the next run
retries, and what it keeps; through each API in turn."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nnbench.datasets import get_dataset
from nnbench.datasets.votesmart import transport
from nnbench.datasets.votesmart.listing import BuildScope
from nnbench.errors import DataUnavailableError
from tests.datasets.votesmart.fakes import (
    ENDPOINTS,
    Person,
    World,
    assert_no_secret,
    build,
    folder_contents,
    read_csv,
)


def test_transient_faults_are_retried_until_they_pass(api: World, tmp_path: Path):
    api.populate({cid: Person() for cid in "12345"})
    api.faults = {"bio:1": ["500"], "photo:2": ["slow"], "bio:3": ["bad-json"],
                  "photo:4": ["429"], "photo:5": ["503"]}  # fmt: skip
    manifest = build(api, tmp_path / "c")

    assert manifest["counts"]["kept"] == 5 and manifest["counts"]["failed"] == 0
    assert not (tmp_path / "c" / "failures.csv").exists()
    resources = ("bio:1", "photo:2", "bio:3", "photo:4", "photo:5")
    assert [api.hits[name] for name in resources] == [2] * 5


@pytest.mark.slow  # three photo requests each wait out the 0.5 s timeout
def test_lasting_faults_are_recorded_and_retried_by_the_next_run(
    api: World, tmp_path: Path, capsys
):
    api.populate({cid: Person(photo="corrupt" if cid == "5" else "colour") for cid in "123456"})
    api.faults = {
        "bio:1": ["404"],
        "bio:2": ["500"] * 3,
        "photo:3": ["slow"] * 3,
        "bio:4": ["bad-json"] * 3,
    }
    folder = tmp_path / "c"
    manifest = build(api, folder)

    failures = read_csv(folder / "failures.csv")
    assert failures[0] == ["candidate_id", "stage", "reason", "url"]
    assert [row[:3] for row in failures[1:]] == [
        ["1", "bio", "HTTP 404" if api.api_name == "classic" else "API error: HTTP 404"],
        ["2", "bio", "HTTP 500"],
        ["3", "photo", "timed out"],
        ["4", "bio", "malformed JSON"],
        ["5", "image", "cannot decode image (UnidentifiedImageError)"],
    ]
    assert failures[3][3] == f"{api.url}canphoto/3.jpg"
    assert manifest["counts"]["failed"] == 5 and manifest["counts"]["kept"] == 1
    assert manifest["complete"] is True  # every candidate was tried
    err = capsys.readouterr().err
    assert (
        "the 5 failed are listed in failures.csv, and running the build again retries them" in err
    )
    # 404 and undecodable bytes are not retried; the others are, twice (retries=2)
    assert [api.hits[f"bio:{c}"] for c in "1245"] == [1, 3, 3, 1]
    assert api.hits["photo:3"] == 3 and api.hits["photo:5"] == 1
    assert_no_secret(err, folder=folder)

    manifest = build(api, folder)  # the faults are over: failed candidates are fetched again
    assert manifest["counts"]["kept"] == 5 and manifest["counts"]["failed"] == 1
    assert manifest["counts"]["failed_by_reason"] == {
        "cannot decode image (UnidentifiedImageError)": 1
    }
    assert [api.hits[f"bio:{c}"] for c in "1246"] == [2, 4, 4, 1]


def test_an_interrupted_build_resumes_without_refetching(api: World, tmp_path: Path, monkeypatch):
    api.populate({cid: Person(gender="" if cid == "2" else "Male") for cid in "12345678"})
    real_get_photo = transport.Transport.get_photo
    photos_asked = []

    def interrupt_at_fourth_photo(client, url: str) -> bytes:
        photos_asked.append(url)
        if len(photos_asked) == 4:
            raise KeyboardInterrupt
        return real_get_photo(client, url)

    monkeypatch.setattr(transport.Transport, "get_photo", interrupt_at_fourth_photo)
    folder = tmp_path / "candidates"
    with pytest.raises(KeyboardInterrupt):
        build(api, folder)

    # a consistent folder: every row has its image, the drop is recorded, the manifest says so
    rows = read_csv(folder / "labels.csv")[1:]
    assert [row[0] for row in rows] == ["1", "3", "4"]
    for row in rows:
        digest = hashlib.sha256((folder / "images" / f"{row[0]}.png").read_bytes()).hexdigest()
        assert digest == row[4]
    assert read_csv(folder / "dropped.csv")[1:] == [["2", "uncoded_gender", "", ""]]
    stopped = json.loads((folder / "manifest.json").read_text())
    assert stopped["complete"] is False and stopped["last_build"]["summary"]["tried"] == 4
    with pytest.raises(DataUnavailableError, match="stopped before it finished"):
        get_dataset("candidates").read(tmp_path, None, None)

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
    assert len(get_dataset("candidates").read(tmp_path, None, None).y_train) > 0


def test_a_rerun_with_another_scope_adds_to_the_folder_and_keeps_what_it_held(
    api: World, tmp_path: Path
):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"bio:3": ["500"] * 3}
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
    assert read_csv(folder / "dropped.csv")[1:] == [["42", "uncoded_gender", "", ""]]
    assert not (folder / "failures.csv").exists()  # candidate 3 was retried, though not listed
    assert [api.hits[f"bio:{cid}"] for cid in ("1", "2", "3", "41", "42")] == [1, 1, 4, 1, 1]
    assert manifest["counts"]["kept"] == 4 and manifest["counts"]["failed"] == 0
    scopes = [
        {"api": api.api_name, "states": ["VT"], "years": [2020], "offices": []},
        {"api": api.api_name, "states": ["ME"], "years": [2020], "offices": []},
    ]
    assert manifest["source"]["scopes"] == scopes
    endpoints = [ENDPOINTS[api.api_name][i] for i in (1, 2, 4)]
    assert manifest["source"]["endpoints"] == {api.api_name: endpoints}
    again = build(api, folder, vermont)  # a scope already recorded is not added again
    assert again["source"]["scopes"] == scopes
    assert again["counts"] == manifest["counts"]


def test_a_folder_built_before_rest2_is_widened_by_it(rest2_api: World, tmp_path: Path):
    """A manifest of the classic-only builder (``api_methods``, no ``apis``) and its two-column
    dropped.csv are read; the folder then records both APIs."""
    rest2_api.populate({cid: Person() for cid in "123"})
    folder = tmp_path / "c"
    (folder / "images").mkdir(parents=True)
    (folder / "dropped.csv").write_text("candidate_id,reason\n2,uncoded_gender\n")
    (folder / "labels.csv").write_text("candidate_id,gender,split,photo_url,sha256\n")
    old_source = {"api_url": "http://api.votesmart.org/",
                  "api_methods": ["Candidates.getByOfficeState", "CandidateBio.getBio"],
                  "scopes": [{"states": ["VT"], "years": [], "offices": ["6"]}]}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps({"complete": True, "source": old_source}))
    manifest = build(rest2_api, folder)
    source = manifest["source"]
    assert (source["api"], source["apis"]) == ("rest2", ["classic", "rest2"])
    assert source["scopes"] == [
        {"api": "classic", "states": ["VT"], "years": [], "offices": ["6"]},
        {"api": "rest2", "states": ["VT"], "years": [2020], "offices": ["5"]},
    ]
    assert source["endpoints"] == {
        "classic": ["Candidates.getByOfficeState", "CandidateBio.getBio"],
        "rest2": ENDPOINTS["rest2"][1:],
    }
    assert rest2_api.hits["bio:2"] == 0  # dropped by the earlier build
    assert read_csv(folder / "dropped.csv")[1:] == [["2", "uncoded_gender", "", ""]]
    assert manifest["counts"]["kept"] == 2
