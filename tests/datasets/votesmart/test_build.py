"""The builder, through each API in turn (``api`` is the classic fake, then the REST API 2.0
one): the folder it writes, what it drops, retries, records and resumes, and what the loader
then reads."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnbench.datasets import get_dataset
from nnbench.datasets.candidates_format import LABEL_COLUMNS, SPLIT_RULE, split_for
from nnbench.datasets.votesmart.credentials import Credentials
from nnbench.datasets.votesmart.listing import BuildScope
from nnbench.errors import ConfigError, CredentialsError, DataError, DataUnavailableError
from tests.datasets.votesmart.fakes import (
    ENDPOINTS,
    Person,
    World,
    assert_no_secret,
    build,
    folder_contents,
    read_csv,
)


def test_a_normal_build_writes_the_folder_format(api: World, tmp_path: Path, capsys):
    genders = {"7": "Female", "12": "Male", "40": "F", "105": "m", "230": "female", "1001": "MALE"}
    api.populate({cid: Person(gender) for cid, gender in genders.items()})
    scope = BuildScope(years=(2020,), offices=("5",))  # every state: the states are listed
    folder = tmp_path / "candidates"
    manifest = build(api, folder, scope)

    ids = ["7", "12", "40", "105", "230", "1001"]  # numeric order
    rows = read_csv(folder / "labels.csv")
    assert rows[0] == list(LABEL_COLUMNS)
    expected_gender = ["Female", "Male", "Female", "Male", "Female", "Male"]
    for row, cid, gender in zip(rows[1:], ids, expected_gender, strict=True):
        png = (folder / "images" / f"{cid}.png").read_bytes()
        assert row == [cid, gender, split_for(cid), f"{api.url}canphoto/{cid}.jpg",
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
        "photo_missing_by_status": {},
        "failed": 0,
        "failed_by_reason": {},
    }
    assert manifest["complete"] is True
    assert manifest["split_rule"] == SPLIT_RULE
    assert manifest["image_size"] == {"width": 110, "height": 135}
    assert manifest["source"] == {
        "api": api.api_name,
        "apis": [api.api_name],
        "api_url": api.url,
        "endpoints": {api.api_name: ENDPOINTS[api.api_name]},
        "scopes": [{"api": api.api_name, "states": None, "years": [2020], "offices": ["5"]}],
    }
    assert manifest["last_build"] == {
        "api": api.api_name,
        "retry_missing": False,
        "summary": {"tried": 6, "kept": 6, "uncoded_gender": 0, "no_photo": 0,
                    "photo_missing": 0, "greyscale": 0, "failed": 0},
    }  # fmt: skip
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    assert read_csv(folder / "dropped.csv") == [["candidate_id", "reason", "detail", "url"]]
    assert not (folder / "failures.csv").exists()
    # REST API 2.0's pages hold 2 records here: 3 states are 2 pages, 5 candidates 3 pages
    pages = {"classic": (1, 1), "rest2": (2, 3)}[api.api_name]
    assert (api.hits["states"], api.hits["by_election"] - 1) == pages
    assert api.hits["elections"] == 3  # NA, VT, ME
    assert all(api.hits[f"bio:{cid}"] == api.hits[f"photo:{cid}"] == 1 for cid in ids)
    out, err = capsys.readouterr()
    assert out == ""
    assert f"from the {api.api_name} API at {api.url}" in err
    assert "this build tried 6 candidates: 6 kept, 0 uncoded gender, 0 no photo, " in err
    assert "retries" not in err and "--retry-missing" not in err
    assert_no_secret(err, folder=folder)


def test_the_loader_reads_what_the_build_wrote(api: World, tmp_path: Path):
    genders = {"7": "Female", "12": "Male", "40": "F", "105": "m", "230": "female", "1001": "MALE"}
    api.populate({cid: Person(gender) for cid, gender in genders.items()})
    build(api, tmp_path / "candidates")
    loaded = get_dataset("candidates").read(tmp_path, None, None)
    assert loaded.class_names == ("Female", "Male")
    assert loaded.x_train.shape[1:] == (135, 110, 3) and loaded.x_train.dtype == np.uint8
    by_split = {"train": [], "test": []}
    for cid in sorted(genders, key=int):
        by_split[split_for(cid)].append(genders[cid].lower().startswith("m"))
    assert loaded.y_train.tolist() == by_split["train"]
    assert loaded.y_test.tolist() == by_split["test"]


def test_uncoded_genders_missing_and_grey_photos_are_dropped(api: World, tmp_path: Path):
    api.populate(
        {
            "1": Person(gender=""),  # as in the recorded bio
            "2": Person(gender="Unknown"),
            "3": Person(photo=None),
            "4": Person(photo="grey_l"),
            "5": Person(photo="grey_rgb"),
            "6": Person(),
            "7": Person(),
            "8": Person(),
            "9": Person(),
        }
    )
    api.faults = {"photo:7": ["404"], "photo:8": ["403"], "photo:9": ["410"]}
    manifest = build(api, tmp_path / "c")

    folder = tmp_path / "c"
    assert read_csv(folder / "dropped.csv")[1:] == [
        ["1", "uncoded_gender", "", ""],
        ["2", "uncoded_gender", "", ""],
        ["3", "no_photo", "", ""],
        ["4", "greyscale", "", ""],
        ["5", "greyscale", "", ""],
        ["7", "photo_missing", "HTTP 404", f"{api.url}canphoto/7.jpg"],
        ["8", "photo_missing", "HTTP 403", f"{api.url}canphoto/8.jpg"],
        ["9", "photo_missing", "HTTP 410", f"{api.url}canphoto/9.jpg"],
    ]
    counts = manifest["counts"]
    assert counts["dropped"] == {
        "greyscale": 2, "no_photo": 1, "photo_missing": 3, "uncoded_gender": 2
    }  # fmt: skip
    assert counts["photo_missing_by_status"] == {"HTTP 403": 1, "HTTP 404": 1, "HTTP 410": 1}
    assert counts["kept"] == 1 and counts["failed"] == 0
    assert manifest["last_build"]["summary"] == {"tried": 9, "kept": 1, "uncoded_gender": 2,
        "no_photo": 1, "photo_missing": 3, "greyscale": 2, "failed": 0}  # fmt: skip
    assert [row[0] for row in read_csv(folder / "labels.csv")[1:]] == ["6"]
    assert sorted(p.name for p in (folder / "images").iterdir()) == ["6.png"]
    assert [api.hits[f"photo:{cid}"] for cid in "123456789"] == [0, 0, 0, 1, 1, 1, 1, 1, 1]


def test_a_missing_photo_is_not_fetched_again_unless_asked(api: World, tmp_path: Path, capsys):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"photo:2": ["404"]}
    folder = tmp_path / "c"
    build(api, folder)
    assert (
        "photos missing: 1 (1 HTTP 404); later builds do not ask for them again unless given "
        "--retry-missing"
    ) in capsys.readouterr().err

    again = build(api, folder)
    assert api.hits["photo:2"] == 1 and api.hits["bio:2"] == 1
    assert again["last_build"]["summary"]["tried"] == 0
    assert again["counts"]["photo_missing_by_status"] == {"HTTP 404": 1}

    retried = build(api, folder, retry_missing=True)  # the photo is back
    assert api.hits["photo:2"] == 2 and api.hits["bio:2"] == 2
    assert retried["last_build"]["retry_missing"] is True
    assert retried["last_build"]["summary"]["kept"] == 1
    assert retried["counts"]["kept"] == 3 and retried["counts"]["photo_missing_by_status"] == {}
    assert read_csv(folder / "dropped.csv")[1:] == []


@pytest.mark.slow  # waits out a 0.5 request/s rate limit
def test_a_dry_run_counts_what_a_build_would_fetch_and_writes_nothing(
    api: World, tmp_path: Path, capsys
):
    api.populate({cid: Person() for cid in "12345"})
    api.faults = {"photo:2": ["404"], "bio:3": ["500"] * 3}
    folder = tmp_path / "c"
    plan = build(api, folder, dry_run=True)
    assert not folder.exists()
    assert not any(name.startswith(("bio:", "photo:")) for name in api.hits)
    assert plan == {
        "dry_run": True, "api": api.api_name, "api_url": api.url, "listed": 5,
        "already_kept": 0, "already_dropped": 0,
        "to_fetch": {"candidates": 5, "new": 5, "earlier_failures": 0, "damaged_images": 0,
                     "missing_photos": 0, "photos_at_most": 5},
        "hours_estimate": 0.0,
    }  # fmt: skip
    assert "would fetch 5 bios and at most 5 photos" in capsys.readouterr().err

    build(api, folder)  # 1, 4, 5 kept; 2's photo missing; 3 failed
    (folder / "images" / "4.png").write_bytes(b"damaged")
    before = folder_contents(folder, but=())
    plan = build(api, folder, dry_run=True, retry_missing=True, rate_limit=0.5)
    assert folder_contents(folder, but=()) == before
    assert plan["already_kept"] == 2 and plan["already_dropped"] == 0
    assert plan["to_fetch"] == {"candidates": 3, "new": 0, "earlier_failures": 1,
        "damaged_images": 1, "missing_photos": 1, "photos_at_most": 3}  # fmt: skip
    assert plan["hours_estimate"] == round(2 * 3 / 0.5 / 3600, 2)


def test_requests_keep_to_the_rate_limit(api: World, tmp_path: Path):
    api.populate({cid: Person() for cid in "123"})
    started = time.monotonic()
    build(api, tmp_path / "c", rate_limit=40.0)
    elapsed = time.monotonic() - started
    requests = sum(api.hits.values())
    assert requests == 10 + (api.api_name == "rest2")  # 4 lists, 3 bios, 3 photos (+ login)
    assert elapsed >= (requests - 1) / 40


def test_a_scope_needs_a_year_or_an_office(api: World, tmp_path: Path):
    with pytest.raises(ConfigError, match="--year, --office"):
        build(api, tmp_path / "c", BuildScope(states=("VT",)))
    assert sum(api.hits.values()) == 0


def test_a_scope_that_matches_nothing_stops_and_leaves_the_folder_as_it_was(
    api: World, tmp_path: Path
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
    logins = Counter({"login": 1}) if api.api_name == "rest2" else Counter()
    assert api.hits - hits_before == Counter({"elections": 1, "by_office_state": 1}) + logins
    with pytest.raises(ConfigError, match="matched no candidates"):
        build(api, tmp_path / "new", mistyped)
    assert not (tmp_path / "new").exists()


def test_any_other_api_error_in_a_listing_stops_the_build(api: World, tmp_path: Path):
    api.populate({cid: Person() for cid in "123"})
    api.faults = {"by_election": ["error:Invalid parameter: electionId"]}
    with pytest.raises(DataUnavailableError) as caught:
        build(api, tmp_path / "c")
    shown = {"classic": "Candidates.getByElection?electionId=100&o=JSON",
             "rest2": "v1/candidates/by-election?electionId=100&page=1&perPage=500"}  # fmt: skip
    assert str(caught.value) == (
        f"Cannot list candidates: {api.url}{shown[api.api_name]} answered the API error "
        "'Invalid parameter: electionId'. Check --state (two-letter ids such as VT), --year and "
        "--office, and that --api-url is the Vote Smart API, then run the build again; nothing "
        "was written."
    )
    assert not (tmp_path / "c").exists()


def test_an_unreachable_api_is_data_unavailable(api: World, tmp_path: Path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(DataUnavailableError) as caught:
        build(api, tmp_path / "c", api_url=url)
    message = str(caught.value)
    assert url in message and "connection error" in message
    assert_no_secret(caught.value)


def test_a_malformed_labels_file_stops_the_build_before_any_request(api: World, tmp_path: Path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "labels.csv").write_text("candidate_id,gender\n7,Male\n8,Female\n7,Male\n")
    with pytest.raises(DataError, match=r"labels.csv, lines 2 and 4: candidate 7 appears twice"):
        build(api, folder)
    assert sum(api.hits.values()) == 0


def test_no_credentials_stop_the_build_before_any_request(api: World, tmp_path: Path):
    api.populate({"1": Person()})
    with pytest.raises(CredentialsError, match="No Vote Smart credentials. Set VOTESMART_API_KEY"):
        build(api, tmp_path / "c", credentials=Credentials())
    assert sum(api.hits.values()) == 0
    assert not (tmp_path / "c").exists()
